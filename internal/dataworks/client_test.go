package dataworks

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/dataworks/dataworkstest"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
)

const (
	testKeyID  = "LTAI5tTESTKEYID0001"
	testSecret = "s3cr3t-TEST-secret-value"
	testToken  = "STS.testTOKEN.value.123"
)

func fake(t *testing.T, token string) *dataworkstest.Server {
	t.Helper()
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		t.Setenv(k, "") // the SDK applies proxies even to loopback
	}
	srv, err := dataworkstest.New(testKeyID, testSecret, token)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func client(srv *dataworkstest.Server, secret string, cfg Config) *Client {
	cfg.Endpoint = srv.URL
	if cfg.Backoff == 0 {
		cfg.Backoff = 20 * time.Millisecond
	}
	return NewWithCredentials(cfg, testKeyID, secret, srv.Token)
}

func spec() []byte {
	doc := flowspec.Blank("sales_daily")
	return doc.Canonical()
}

func create() draft.SubmitRequest {
	return draft.SubmitRequest{Action: draft.CreateWorkflow, ProjectID: "123456", Region: "cn-shanghai", Spec: spec()}
}

// noSecrets fails if any text holds a credential value, or a signature
// that is not redacted — every occurrence is checked, not the first.
func noSecrets(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		for _, secret := range []string{testKeyID, testSecret, testToken} {
			if strings.Contains(s, secret) {
				t.Errorf("text leaks %q: %s", secret, s)
			}
		}
		for _, m := range regexp.MustCompile(`(?i)signature=([^&\s"']*)`).FindAllStringSubmatch(s, -1) {
			if m[1] != "REDACTED" {
				t.Errorf("text leaks a signature %q: %s", m[0], s)
			}
		}
	}
}

func TestSubmitCreates(t *testing.T) {
	srv := fake(t, "")
	res := client(srv, testSecret, Config{}).Submit(context.Background(), create())
	if res.State != draft.Succeeded || res.ID != "4634978808809541235" || res.RequestID == "" {
		t.Fatalf("%+v", res)
	}
	calls := srv.Calls()
	if len(calls) != 1 || calls[0].Action != "CreateWorkflowDefinition" || calls[0].ProjectID != 123456 || calls[0].Spec != string(spec()) {
		t.Fatalf("calls %+v", calls)
	}
}

func TestSubmitUpdates(t *testing.T) {
	srv := fake(t, "")
	c := client(srv, testSecret, Config{})
	created := c.Submit(context.Background(), create())
	doc := flowspec.Blank("sales_daily")
	doc.SetWorkflowID(created.ID)
	res := c.Submit(context.Background(), draft.SubmitRequest{Action: draft.UpdateWorkflow, ProjectID: "123456", Region: "cn-shanghai",
		ID: created.ID, Spec: doc.Canonical()})
	calls := srv.Calls()
	if res.State != draft.Succeeded || res.ID != created.ID || len(calls) != 2 ||
		calls[1].Action != "UpdateWorkflowDefinition" || calls[1].ID != created.ID ||
		!strings.Contains(calls[1].Spec, `"id":"`+created.ID+`"`) {
		t.Fatalf("%+v %+v", res, calls)
	}
}

func TestSubmitWrongSecret(t *testing.T) {
	srv := fake(t, "")
	res := client(srv, "not-the-secret", Config{}).Submit(context.Background(), create())
	if res.State != draft.Failed || res.ErrorCode != "SignatureDoesNotMatch" || !strings.Contains(res.Guidance.EN, "credentials") {
		t.Fatalf("%+v", res)
	}
	noSecrets(t, res.Error)
	if strings.Contains(res.Error, "GET&") || strings.Contains(res.Error, "POST&") {
		t.Errorf("the string to sign (which holds the AccessKeyId) leaked: %s", res.Error)
	}
}

// TestSubmitRetriesThrottlingWithDoublingDelays: with jitter switched off,
// the waits between tries are the backoff, then twice it.
func TestSubmitRetriesThrottlingWithDoublingDelays(t *testing.T) {
	srv := fake(t, "")
	srv.Script(dataworkstest.Behavior{Throttle: true}, dataworkstest.Behavior{Throttle: true})
	const backoff = 60 * time.Millisecond
	res := client(srv, testSecret, Config{Backoff: backoff, jitter: func(d time.Duration) time.Duration { return d }}).Submit(context.Background(), create())
	calls := srv.Calls()
	if res.State != draft.Succeeded || len(calls) != 3 {
		t.Fatalf("%+v after %d calls", res, len(calls))
	}
	first, second := calls[1].At.Sub(calls[0].At), calls[2].At.Sub(calls[1].At)
	if first < backoff || first >= 2*backoff || second < 2*backoff || second >= 4*backoff {
		t.Errorf("waits %v then %v, want %v then %v", first, second, backoff, 2*backoff)
	}
	created := 0
	for _, c := range calls {
		if c.WorkflowID != "" {
			created++
		}
	}
	if created != 1 {
		t.Errorf("%d workflows created", created)
	}
}

// TestSpreadStaysWithinBounds: jittered waits stay between half and one
// and a half times the backoff.
func TestSpreadStaysWithinBounds(t *testing.T) {
	for range 1000 {
		if d := spread(time.Second); d < 500*time.Millisecond || d >= 1500*time.Millisecond {
			t.Fatalf("spread(1s) = %v", d)
		}
	}
}

func TestSubmitGivesUpOnPersistentThrottling(t *testing.T) {
	srv := fake(t, "")
	srv.Script(dataworkstest.Behavior{Throttle: true}, dataworkstest.Behavior{Throttle: true}, dataworkstest.Behavior{Throttle: true}, dataworkstest.Behavior{Throttle: true})
	res := client(srv, testSecret, Config{}).Submit(context.Background(), create())
	if res.State != draft.Failed || res.ErrorCode != "Throttling.User" || len(srv.Calls()) != maxTries || !strings.Contains(res.Guidance.EN, "throttling") {
		t.Fatalf("%+v, %d calls", res, len(srv.Calls()))
	}
}

func TestSubmitDoesNotRetryServerErrors(t *testing.T) {
	srv := fake(t, "")
	srv.Script(dataworkstest.Behavior{Fail: true})
	res := client(srv, testSecret, Config{}).Submit(context.Background(), create())
	if res.State != draft.Unknown || res.ErrorCode != "InternalError" || res.HTTPStatus != 500 || len(srv.Calls()) != 1 {
		t.Fatalf("%+v, %d calls", res, len(srv.Calls()))
	}
}

func TestSubmitTimeoutIsUnknown(t *testing.T) {
	srv := fake(t, "")
	srv.Script(dataworkstest.Behavior{Sleep: 1500 * time.Millisecond})
	res := client(srv, testSecret, Config{ReadTimeout: 300 * time.Millisecond}).Submit(context.Background(), create())
	if res.State != draft.Unknown || res.ErrorCode != "Timeout" {
		t.Fatalf("%+v", res)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(srv.Calls()) == 0 && time.Now().Before(deadline) { // the fake finishes after FlowForm gave up
		time.Sleep(20 * time.Millisecond)
	}
	if calls := srv.Calls(); len(calls) != 1 || calls[0].WorkflowID == "" {
		t.Fatalf("calls %+v", calls)
	}
	if !strings.Contains(res.Guidance.EN, "may have executed") {
		t.Errorf("guidance %q", res.Guidance.EN)
	}
	noSecrets(t, res.Error)
}

// TestDefaultChainSTSFromEnvironment: credentials come from the SDK's
// default chain; an STS token in the environment reaches the endpoint.
func TestDefaultChainSTSFromEnvironment(t *testing.T) {
	srv := fake(t, testToken)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", testKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", testSecret)
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", testToken)
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	t.Setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")
	res := New(Config{Endpoint: srv.URL}).Submit(context.Background(), create())
	calls := srv.Calls()
	if res.State != draft.Succeeded || len(calls) != 1 || !calls[0].Token {
		t.Fatalf("%+v %+v", res, calls)
	}
}

// TestDomain: the region table of the current SDK, including the five
// regions an older map sent to the central host.
func TestDomain(t *testing.T) {
	for region, want := range map[string]string{
		"cn-shanghai": "dataworks.cn-shanghai.aliyuncs.com", "eu-central-1": "dataworks.eu-central-1.aliyuncs.com",
		"cn-zhangjiakou": "dataworks.cn-zhangjiakou.aliyuncs.com", "cn-shanghai-finance-1": "dataworks.cn-shanghai-finance-1.aliyuncs.com",
		"cn-shenzhen-finance-1": "dataworks.cn-shenzhen-finance-1.aliyuncs.com", "cn-beijing-finance-1": "dataworks.cn-beijing-finance-1.aliyuncs.com",
		"cn-north-2-gov-1": "dataworks.cn-north-2-gov-1.aliyuncs.com",
		"cn-qingdao":       "dataworks.aliyuncs.com", "ap-south-1": "dataworks.aliyuncs.com", "cn-wuhan": "dataworks.aliyuncs.com",
		"xx-nowhere-9": "dataworks.xx-nowhere-9.aliyuncs.com",
	} {
		if got := Domain(region); got != want {
			t.Errorf("Domain(%s) = %s, want %s", region, got, want)
		}
	}
	regions := Regions()
	for _, r := range []string{"cn-hangzhou", "cn-qingdao", "us-west-1"} {
		if !slices.Contains(regions, r) {
			t.Errorf("Regions() lacks %s", r)
		}
	}
	if slices.Contains(regions, "cn-hangzhou-internal-test-1") {
		t.Error("Regions() offers an internal zone")
	}
}

// TestSubmitRequestsOnTheSameHostTheCLIUses: without an override, the SDK
// is pointed at the region's host from the table.
func TestTargetFollowsTheTable(t *testing.T) {
	c := New(Config{})
	if scheme, host := c.target("cn-zhangjiakou"); scheme != "HTTPS" || host != "dataworks.cn-zhangjiakou.aliyuncs.com" {
		t.Errorf("target = %s %s", scheme, host)
	}
}

func TestRedact(t *testing.T) {
	known := []string{testKeyID, testSecret, "STS.tok+en/value=="}
	tests := []struct{ name, in, gone, kept string }{
		{"signed URL", `Post "http://127.0.0.1/?AccessKeyId=LTAI5tX&Signature=abc%2Bdef&SecurityToken=STS.x&Timestamp=1": timeout`, "LTAI5tX abc%2Bdef STS.x", "Timestamp=1"},
		{"URL-encoded pair", `url=%3FAccessKeyId%3DLTAIother%26Action%3DX`, "LTAIother", "Action"},
		{"JSON", `{"AccessKeyId": "LTAIjson", "SecurityToken":"STSjson\"x", "Code":"Forbidden"}`, `LTAIjson STSjson`, `"Code":"Forbidden"`},
		{"XML", `<Error><AccessKeyId>LTAIxml</AccessKeyId><SecurityToken>STSxml</SecurityToken><Code>X</Code></Error>`, "LTAIxml STSxml", "<Code>X</Code>"},
		{"raw values anywhere", "key " + testKeyID + " secret " + testSecret + " token STS.tok%2Ben%2Fvalue%3D%3D", testKeyID + " " + testSecret + " STS.tok", "key"},
		{"colon forms", `Signature: c2lnbmF0dXJl, AccessKeyId : LTAIcolon; x`, "c2lnbmF0dXJl LTAIcolon", "x"},
		{"XML with attributes", `<AccessKeyId type="ak">LTAIattr</AccessKeyId>`, "LTAIattr", "</AccessKeyId>"},
		{"string to sign", `Specified signature is not matched. server string to sign is:POST&%2F&AccessKeyId%3DLTAIsts`, "LTAIsts", "not matched"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := redact(tt.in, known)
			for _, secret := range strings.Fields(tt.gone) {
				if strings.Contains(out, secret) {
					t.Errorf("%q survives in %s", secret, out)
				}
			}
			if !strings.Contains(out, tt.kept) {
				t.Errorf("%q was lost: %s", tt.kept, out)
			}
		})
	}
}

// TestMaxDurationCoversEveryTry: the bound the HTTP layer relies on.
func TestMaxDurationCoversEveryTry(t *testing.T) {
	c := New(Config{ReadTimeout: 10 * time.Minute, Backoff: time.Second})
	if got, want := c.MaxDuration(), 3*(10*time.Minute+credentialsTime)+1500*time.Millisecond+3*time.Second; got != want {
		t.Fatalf("MaxDuration = %v, want %v", got, want)
	}
}

// TestCallsForDifferentDraftsRunInParallel: three calls to an endpoint
// that takes 600 ms each finish together, not one after another.
func TestCallsForDifferentDraftsRunInParallel(t *testing.T) {
	srv := fake(t, "")
	slow := dataworkstest.Behavior{Sleep: 600 * time.Millisecond}
	srv.Script(slow, slow, slow)
	c := client(srv, testSecret, Config{})
	began := time.Now()
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if res := c.Submit(context.Background(), create()); res.State != draft.Succeeded {
				t.Errorf("%+v", res)
			}
		})
	}
	wg.Wait()
	if took := time.Since(began); took > 1100*time.Millisecond {
		t.Fatalf("three 600 ms calls took %v: they waited on each other", took)
	}
}

// FuzzRedact: whatever text surrounds them, the credential values never
// survive redaction, raw or URL-encoded.
func FuzzRedact(f *testing.F) {
	f.Add("AccessKeyId=" + testKeyID + "&Signature=abc")
	f.Add(`{"AccessKeySecret":"` + testSecret + `"}`)
	f.Add("<SecurityToken>" + testToken + "</SecurityToken>")
	f.Fuzz(func(t *testing.T, s string) {
		known := []string{testKeyID, testSecret, testToken}
		in := s + testSecret + s + url.QueryEscape(testToken) + s + testKeyID
		out := redact(in, known)
		for _, v := range known {
			if strings.Contains(out, v) || strings.Contains(out, url.QueryEscape(v)) {
				t.Fatalf("%q survives in %q", v, out)
			}
		}
	})
}

// rawServer answers every request with status and body.
func rawServer(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestAnswersTheSDKCannotRead: a malformed error body makes the SDK panic;
// the process survives and the outcome is unknown (the call was made).
func TestAnswersTheSDKCannotRead(t *testing.T) {
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		t.Setenv(k, "")
	}
	endpoint := rawServer(t, 500, `{"Code":500,"Message":"x","RequestId":"R"}`)
	res := NewWithCredentials(Config{Endpoint: endpoint}, testKeyID, testSecret, "").Submit(context.Background(), create())
	if res.State != draft.Unknown || res.ErrorCode != "BadResponse" {
		t.Fatalf("%+v", res)
	}
}

// TestRefusalCodesWinOverStatus: a 5xx carrying one of DataWorks' refusal
// codes did nothing (failed); without one, a 503 is unknown.
func TestRefusalCodesWinOverStatus(t *testing.T) {
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		t.Setenv(k, "")
	}
	tests := []struct {
		status     int
		body, want string
	}{
		{503, `{"Code":"Throttling.System","Message":"busy","RequestId":"R"}`, draft.Failed},
		{500, `{"Code":"Forbidden.Not.Server","Message":"not here","RequestId":"R"}`, draft.Failed},
		{503, `{"Code":"ServiceUnavailable","Message":"later","RequestId":"R"}`, draft.Unknown},
		{500, `{"Code":"SomethingElse","Message":"?","RequestId":"R"}`, draft.Unknown},
	}
	for _, tt := range tests {
		res := NewWithCredentials(Config{Endpoint: rawServer(t, tt.status, tt.body), Backoff: time.Millisecond}, testKeyID, testSecret, "").Submit(context.Background(), create())
		if res.State != tt.want {
			t.Errorf("%d %s: %s (%+v)", tt.status, tt.body, res.State, res)
		}
	}
}

// TestCredentialsThatDoNotResolveSendNothing: with no credentials source,
// nothing is sent: failed, and submitting again is safe.
func TestCredentialsThatDoNotResolveSendNothing(t *testing.T) {
	srv := fake(t, "")
	for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_ROLE_ARN"} {
		t.Setenv(k, "")
	}
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	t.Setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")
	t.Setenv("HOME", t.TempDir())
	res := New(Config{Endpoint: srv.URL}).Submit(context.Background(), create())
	if res.State != draft.Failed || res.ErrorCode != "CredentialsUnavailable" || len(srv.Calls()) != 0 || !strings.Contains(res.Guidance.EN, "credentials") {
		t.Fatalf("%+v, %d calls", res, len(srv.Calls()))
	}
}

// TestSandboxIgnoresProxies: the SDK applies HTTP(S)_PROXY even to
// loopback; calls to a loopback endpoint must not go through a proxy.
func TestSandboxIgnoresProxies(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1")
	t.Setenv("http_proxy", "http://127.0.0.1:1")
	c, closeFake, err := NewSandbox(Config{}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer closeFake()
	if res := c.Submit(context.Background(), create()); res.State != draft.Succeeded {
		t.Fatalf("sandbox behind a proxy setting: %+v", res)
	}
}
