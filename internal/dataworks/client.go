// Package dataworks submits FlowSpecs to DataWorks (OpenAPI 2024-05-18)
// through github.com/aliyun/alibaba-cloud-sdk-go; it is the only package
// that imports the SDK. Credentials come only from the SDK's default chain
// (or, in sandbox mode, from the in-process fake endpoint); every error
// text is redacted before it leaves this package.
package dataworks

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"

	"github.com/flowform/flowform/internal/draft"
)

// APIVersion is the DataWorks OpenAPI version called.
const APIVersion = "2024-05-18"

// Config configures a Client.
type Config struct {
	// Endpoint overrides scheme and host (e.g. http://127.0.0.1:9000);
	// empty means https://dataworks.<region>.aliyuncs.com.
	Endpoint       string
	ConnectTimeout time.Duration // default 5 s
	ReadTimeout    time.Duration // default 30 s; the whole call's deadline
	// Backoff is the first wait before retrying a throttled call; it
	// doubles each time, with jitter (default 500 ms).
	Backoff time.Duration
	// Sandbox marks submissions as going to the in-process fake.
	Sandbox bool
	// credential replaces the default chain; only the sandbox sets it.
	credential auth.Credential
}

// maxTries is how often a throttled call is tried in all.
const maxTries = 3

// Client calls DataWorks. It is safe for concurrent use: the SDK client is
// not (aliyun/alibaba-cloud-sdk-go#538), so calls are serialised.
type Client struct {
	cfg     Config
	mu      sync.Mutex
	clients map[string]*sdk.Client // by region
}

// New returns a client using the default credentials chain.
func New(cfg Config) *Client {
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = 30 * time.Second
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	return &Client{cfg: cfg, clients: map[string]*sdk.Client{}}
}

// NewWithCredentials returns a client with fixed credentials: for the
// sandbox's generated keys and for tests of the fake; production uses New.
func NewWithCredentials(cfg Config, accessKeyID, secret, token string) *Client {
	if token != "" {
		cfg.credential = credentials.NewStaticSTSCredentialsProvider(accessKeyID, secret, token)
	} else {
		cfg.credential = credentials.NewStaticAKCredentialsProvider(accessKeyID, secret)
	}
	return New(cfg)
}

// Endpoint implements draft.Submitter.
func (c *Client) Endpoint() string {
	if c.cfg.Sandbox {
		return "sandbox"
	}
	return "real"
}

// Domain implements draft.Submitter: the public DataWorks host of a region,
// whatever --dataworks-endpoint says.
func (c *Client) Domain(region string) string { return Domain(region) }

// Domain is the DataWorks host of a region (reference §5.2: some regions
// use the central host).
func Domain(region string) string {
	switch region {
	case "cn-qingdao", "cn-zhangjiakou", "cn-huhehaote", "cn-shanghai-finance-1", "cn-shenzhen-finance-1",
		"cn-beijing-finance-1", "cn-north-2-gov-1", "ap-south-1", "ap-southeast-2", "cn-wuhan", "cn-zhangbei":
		return "dataworks.aliyuncs.com"
	}
	return "dataworks." + region + ".aliyuncs.com"
}

// target is the scheme and host a request goes to.
func (c *Client) target(region string) (scheme, host string) {
	if c.cfg.Endpoint != "" {
		if u, err := url.Parse(c.cfg.Endpoint); err == nil && u.Host != "" {
			return u.Scheme, u.Host
		}
	}
	return requests.HTTPS, Domain(region)
}

func (c *Client) sdkClient(region string) (*sdk.Client, error) {
	if cl, ok := c.clients[region]; ok {
		return cl, nil
	}
	cfg := sdk.NewConfig().WithScheme(requests.HTTPS).WithAutoRetry(false)
	cl, err := sdk.NewClientWithOptions(region, cfg, c.cfg.credential) // nil: the default chain
	if err != nil {
		return nil, err
	}
	cl.SetConnectTimeout(c.cfg.ConnectTimeout)
	cl.SetReadTimeout(c.cfg.ReadTimeout)
	cl.SetCloseTrace(true)
	cl.AppendUserAgent("flowform", "1")
	c.clients[region] = cl
	return cl, nil
}

// Submit implements draft.Submitter: CreateWorkflowDefinition, or
// UpdateWorkflowDefinition for an existing workflow. Only throttling is
// retried (exponential backoff with jitter, 3 tries); a timeout or broken
// connection is Unknown and never retried, since Create has no
// idempotency token.
func (c *Client) Submit(ctx context.Context, req draft.SubmitRequest) draft.SubmitResult {
	wait := c.cfg.Backoff
	var res draft.SubmitResult
	for try := 1; try <= maxTries; try++ {
		res = c.call(req)
		if res.State != draft.Failed || !strings.HasPrefix(res.ErrorCode, "Throttling") || try == maxTries {
			break
		}
		jittered := wait/2 + time.Duration(rand.Int64N(int64(wait)))
		select {
		case <-ctx.Done():
			return res
		case <-time.After(jittered):
		}
		wait *= 2
	}
	res.Guidance = draft.Guidance(draft.Submission{State: res.State, ErrorCode: res.ErrorCode})
	return res
}

// call makes one API call, holding the lock for the SDK's sake.
func (c *Client) call(req draft.SubmitRequest) draft.SubmitResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	cl, err := c.sdkClient(req.Region)
	if err != nil {
		return draft.SubmitResult{State: draft.Failed, ErrorCode: "SDK.Config", Error: redact(err.Error())}
	}
	r := requests.NewCommonRequest()
	r.Method = requests.POST
	r.Scheme, r.Domain = c.target(req.Region)
	r.Product = "dataworks-public"
	r.Version = APIVersion
	r.ApiName = "CreateWorkflowDefinition"
	if req.Operation == draft.OpUpdate {
		r.ApiName = "UpdateWorkflowDefinition"
		r.FormParams["Id"] = req.WorkflowID
	}
	r.FormParams["ProjectId"] = req.ProjectID
	r.FormParams["Spec"] = string(req.Spec)
	resp, err := cl.ProcessCommonRequest(r)
	if err != nil {
		return failure(err)
	}
	var body struct {
		RequestId string
		Id        json.RawMessage
		Success   *bool
	}
	if err := json.Unmarshal(resp.GetHttpContentBytes(), &body); err != nil {
		return draft.SubmitResult{State: draft.Unknown, HTTPStatus: resp.GetHttpStatus(), ErrorCode: "BadResponse",
			Error: "DataWorks answered " + strconv.Itoa(resp.GetHttpStatus()) + " with a body that is not JSON"}
	}
	res := draft.SubmitResult{State: draft.Succeeded, RequestID: body.RequestId, HTTPStatus: resp.GetHttpStatus(), WorkflowID: req.WorkflowID}
	if req.Operation == draft.OpCreate {
		res.WorkflowID = rawID(body.Id)
		if res.WorkflowID == "" {
			res.State, res.ErrorCode, res.Error = draft.Unknown, "BadResponse", "DataWorks answered without a workflow Id"
		}
	}
	return res
}

// rawID reads an Id sent as a string or a number, keeping every digit.
func rawID(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	if strings.HasPrefix(s, `"`) {
		var v string
		if json.Unmarshal(raw, &v) == nil {
			return v
		}
		return ""
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// failure maps an SDK error: an answer from DataWorks is Failed with its
// code; anything else (timeout, connection) is Unknown.
func failure(err error) draft.SubmitResult {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		return draft.SubmitResult{State: draft.Failed, HTTPStatus: se.HttpStatus(), ErrorCode: se.ErrorCode(),
			RequestID: se.RequestId(), Error: redact(se.Message())}
	}
	var ce *sdkerrors.ClientError
	if errors.As(err, &ce) && ce.ErrorCode() != "SDK.TimeoutError" && !isNetwork(ce.OriginError()) {
		// Refused before sending (e.g. no credentials resolve): nothing reached DataWorks.
		return draft.SubmitResult{State: draft.Failed, ErrorCode: ce.ErrorCode(), Error: redact(ce.Message())}
	}
	return draft.SubmitResult{State: draft.Unknown, ErrorCode: "Timeout", Error: redact(err.Error())}
}

func isNetwork(err error) bool {
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue)
}

// Signed URLs carry the AccessKeyId, the signature and the STS token; SDK
// messages may quote them. redact removes every such value.
var secrets = regexp.MustCompile(`(?i)(AccessKeyId|Signature|SecurityToken|SignatureNonce|AccessKeySecret)=[^&\s"']*`)

func redact(s string) string {
	s = secrets.ReplaceAllString(s, "$1=REDACTED")
	if i := strings.Index(s, "server string to sign is:"); i >= 0 {
		s = s[:i] + "server string to sign is: REDACTED"
	}
	return s
}
