package dataworks

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"

	"github.com/flowform/flowform/internal/draft"
)

// maxMessage caps an error text kept from DataWorks (a gateway may answer
// with a whole HTML page); the text is redacted before it is cut.
const maxMessage = 600

// outcomeOfError maps an SDK error to an outcome. The line that matters is
// whether DataWorks may have executed the call: then it is Unknown, and
// resubmitting blindly could make a duplicate workflow.
//   - An answer from DataWorks refusing the call (4xx, or a 5xx with a
//     refusal code) is Failed.
//   - A gateway error (502, 503, 504), a 5xx whose body is not DataWorks'
//     JSON, or InternalError / ServiceUnavailable may have run: Unknown.
//   - A connection that was never made (refused, DNS, TLS, proxy) sent
//     nothing: Failed, safe to submit again.
//   - A timeout or a connection lost mid-call: Unknown.
func outcomeOfError(err error) draft.SubmitResult {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		res := draft.SubmitResult{State: draft.Failed, HTTPStatus: se.HttpStatus(), ErrorCode: se.ErrorCode(),
			RequestID: se.RequestId(), Error: se.Message()}
		if mayHaveRun(se.HttpStatus(), se.ErrorCode()) {
			res.State = draft.Unknown
		}
		if res.ErrorCode == "" {
			res.ErrorCode = "HTTP" + strconv.Itoa(se.HttpStatus())
			res.Error = "DataWorks (or a gateway before it) answered HTTP " + strconv.Itoa(se.HttpStatus()) + " without DataWorks' error body: " + se.Message()
		}
		return res
	}
	if code, ok := neverSent(err); ok {
		return draft.SubmitResult{State: draft.Failed, ErrorCode: code, Error: err.Error()}
	}
	var ue *url.Error
	var ce *sdkerrors.ClientError
	switch {
	case errors.As(err, &ce) && ce.ErrorCode() != "SDK.TimeoutError" && ce.OriginError() == nil:
		// Refused by the SDK before sending.
		return draft.SubmitResult{State: draft.Failed, ErrorCode: ce.ErrorCode(), Error: ce.Message()}
	case !errors.As(err, &ue) && !errors.As(err, &ce):
		// Only the HTTP exchange returns *url.Error (or, retried, a
		// ClientError); anything else — credentials that do not resolve,
		// a request that cannot be signed — happened before sending.
		code := "NotSent"
		if strings.Contains(strings.ToLower(err.Error()), "credential") {
			code = "CredentialsUnavailable"
		}
		return draft.SubmitResult{State: draft.Failed, ErrorCode: code, Error: err.Error()}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return draft.SubmitResult{State: draft.Unknown, ErrorCode: "Timeout", Error: err.Error()}
	}
	return draft.SubmitResult{State: draft.Unknown, ErrorCode: "ConnectionLost", Error: err.Error()}
}

// mayHaveRun says whether a 5xx answer leaves the call's effect open.
func mayHaveRun(status int, code string) bool {
	if status < 500 {
		return false
	}
	// DataWorks' own refusal codes (e.g. Forbidden.Not.Server: the API is
	// not offered in this region) did nothing, whatever the status.
	for _, refusal := range []string{"Forbidden", "Throttling", "Invalid", "Missing", "ResourceNotAuthorized"} {
		if strings.HasPrefix(code, refusal) {
			return false
		}
	}
	// Gateway errors, bodies that are not DataWorks' JSON, InternalError,
	// ServiceUnavailable and any other 5xx leave the effect open.
	return true
}

// neverSent recognises errors raised before the request left this machine.
func neverSent(err error) (code string, ok bool) {
	var dns *net.DNSError
	var op *net.OpError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &dns):
		return "DNSFailure", true
	case errors.As(err, &op) && (op.Op == "dial" || op.Op == "proxyconnect"):
		return "ConnectFailed", true
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &verify):
		return "TLSFailure", true
	}
	var ue *url.Error
	if errors.As(err, &ue) && strings.Contains(ue.Error(), "proxyconnect") {
		return "ConnectFailed", true
	}
	return "", false
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// recordingProvider hands out one SDK client's credentials and remembers
// the values in the client's secret set, so that they can be redacted
// wherever they turn up.
type recordingProvider struct {
	inner   credentials.CredentialsProvider
	secrets *secretSet
}

// GetCredentials implements credentials.CredentialsProvider.
func (p *recordingProvider) GetCredentials() (*credentials.Credentials, error) {
	cc, err := p.inner.GetCredentials()
	if cc != nil {
		p.secrets.remember(cc)
	}
	return cc, err
}

// GetProviderName implements credentials.CredentialsProvider.
func (p *recordingProvider) GetProviderName() string { return p.inner.GetProviderName() }

// secretSet is the credential values handed out so far.
type secretSet struct {
	mu     sync.Mutex
	values []string // access key ids, secrets and tokens, newest last
}

// maxRemembered bounds the remembered values (STS tokens rotate).
const maxRemembered = 24

func (p *secretSet) remember(cc *credentials.Credentials) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, v := range []string{cc.AccessKeyId, cc.AccessKeySecret, cc.SecurityToken} {
		if len(v) < 6 || slices.Contains(p.values, v) {
			continue
		}
		p.values = append(p.values, v)
		if len(p.values) > maxRemembered {
			p.values = p.values[1:]
		}
	}
}

// Signed URLs carry the AccessKeyId, the signature and the STS token, and
// SDK or gateway messages may quote them as key=value, as JSON or as XML.
const secretNames = `AccessKeyId|AccessKeySecret|SecurityToken|SignatureNonce|Signature|access_key_id|access_key_secret|security_token`

var (
	secretPair = regexp.MustCompile(`(?i)(` + secretNames + `)=[^&\s"'<>]*`)
	// "Signature: …" as SDKs and proxies print headers and fields.
	secretColon = regexp.MustCompile(`(?i)\b(` + secretNames + `)(\s*:\s*)[^\s"'<>,;&]+`)
	// URL-encoded once more (a URL quoted inside a URL): the value is
	// base64 or alphanumeric, so it ends at the first other escape (%26).
	secretEncodedPair = regexp.MustCompile(`(?i)(` + secretNames + `)%3D(?:[A-Za-z0-9._~-]|%2[BF]|%3D)*`)
	secretJSON        = regexp.MustCompile(`(?i)("(?:` + secretNames + `)"\s*:\s*")(?:[^"\\]|\\.)*"`)
	secretXML         = regexp.MustCompile(`(?i)(<(?:` + secretNames + `)(?:\s[^>]*)?>)[^<]*`)
)

// redact removes every credential from s: the known values wherever they
// occur (also URL-encoded), then anything in a credential-named field.
func (p *secretSet) redact(s string) string {
	p.mu.Lock()
	values := append([]string(nil), p.values...)
	p.mu.Unlock()
	return redact(s, values)
}

func redact(s string, values []string) string {
	for _, v := range values {
		s = strings.ReplaceAll(s, v, "REDACTED")
		if q := url.QueryEscape(v); q != v {
			s = strings.ReplaceAll(s, q, "REDACTED")
		}
	}
	s = secretPair.ReplaceAllString(s, "${1}=REDACTED")
	s = secretEncodedPair.ReplaceAllString(s, "${1}%3DREDACTED")
	s = secretJSON.ReplaceAllString(s, `${1}REDACTED"`)
	s = secretColon.ReplaceAllString(s, "${1}${2}REDACTED")
	s = secretXML.ReplaceAllString(s, "${1}REDACTED")
	if i := strings.Index(s, "server string to sign is:"); i >= 0 {
		s = s[:i] + "server string to sign is: REDACTED"
	}
	return s
}
