package dataworks

import (
	"context"
	"strings"
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
	return draft.SubmitRequest{Operation: draft.OpCreate, ProjectID: "123456", Region: "cn-shanghai", Spec: spec()}
}

func noSecrets(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		for _, secret := range []string{testKeyID, testSecret, testToken, "Signature="} {
			if strings.Contains(s, secret) && !strings.Contains(s, "Signature=REDACTED") {
				t.Errorf("text leaks %q: %s", secret, s)
			}
		}
	}
}

func TestSubmitCreates(t *testing.T) {
	srv := fake(t, "")
	res := client(srv, testSecret, Config{}).Submit(context.Background(), create())
	if res.State != draft.Succeeded || res.WorkflowID != "4634978808809541235" || res.RequestID == "" {
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
	doc.SetWorkflowID(created.WorkflowID)
	res := c.Submit(context.Background(), draft.SubmitRequest{Operation: draft.OpUpdate, ProjectID: "123456", Region: "cn-shanghai",
		WorkflowID: created.WorkflowID, Spec: doc.Canonical()})
	calls := srv.Calls()
	if res.State != draft.Succeeded || res.WorkflowID != created.WorkflowID || len(calls) != 2 ||
		calls[1].Action != "UpdateWorkflowDefinition" || calls[1].ID != created.WorkflowID ||
		!strings.Contains(calls[1].Spec, `"id":"`+created.WorkflowID+`"`) {
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

func TestSubmitRetriesThrottlingWithGrowingDelays(t *testing.T) {
	srv := fake(t, "")
	srv.Script(dataworkstest.Behavior{Throttle: true}, dataworkstest.Behavior{Throttle: true})
	res := client(srv, testSecret, Config{Backoff: 40 * time.Millisecond}).Submit(context.Background(), create())
	calls := srv.Calls()
	if res.State != draft.Succeeded || len(calls) != 3 {
		t.Fatalf("%+v after %d calls", res, len(calls))
	}
	first, second := calls[1].At.Sub(calls[0].At), calls[2].At.Sub(calls[1].At)
	if first < 20*time.Millisecond || second <= first/2 || second < 40*time.Millisecond {
		t.Errorf("delays %v then %v: not backing off", first, second)
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
	if res.State != draft.Failed || res.ErrorCode != "InternalError" || res.HTTPStatus != 500 || len(srv.Calls()) != 1 {
		t.Fatalf("%+v, %d calls", res, len(srv.Calls()))
	}
}

func TestSubmitTimeoutIsUnknown(t *testing.T) {
	srv := fake(t, "")
	srv.Script(dataworkstest.Behavior{Sleep: 1500 * time.Millisecond})
	res := client(srv, testSecret, Config{ReadTimeout: 300 * time.Millisecond}).Submit(context.Background(), create())
	time.Sleep(1300 * time.Millisecond) // let the fake finish its work
	calls := srv.Calls()
	if res.State != draft.Unknown || len(calls) != 1 || calls[0].WorkflowID == "" {
		t.Fatalf("%+v, calls %+v", res, calls)
	}
	if !strings.Contains(res.Guidance.EN, "may have been created") {
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

func TestDomain(t *testing.T) {
	for region, want := range map[string]string{"cn-shanghai": "dataworks.cn-shanghai.aliyuncs.com", "eu-central-1": "dataworks.eu-central-1.aliyuncs.com",
		"cn-qingdao": "dataworks.aliyuncs.com", "cn-shanghai-finance-1": "dataworks.aliyuncs.com"} {
		if got := Domain(region); got != want {
			t.Errorf("Domain(%s) = %s", region, got)
		}
	}
}

func TestRedact(t *testing.T) {
	in := `Post "http://127.0.0.1/?AccessKeyId=LTAI5tX&Signature=abc%2Bdef&SecurityToken=STS.x&Timestamp=1": timeout`
	out := redact(in)
	if strings.Contains(out, "LTAI5tX") || strings.Contains(out, "abc%2Bdef") || strings.Contains(out, "STS.x") || !strings.Contains(out, "Timestamp=1") {
		t.Fatal(out)
	}
}
