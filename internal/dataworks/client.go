// Package dataworks submits FlowSpecs to DataWorks (OpenAPI 2024-05-18)
// through github.com/aliyun/alibaba-cloud-sdk-go; it is the only package
// that imports the SDK. Credentials come only from the SDK's default chain
// (or, in sandbox mode, from the in-process fake endpoint); every error
// text is redacted before it leaves this package, and what an outcome
// means for the analyst (its guidance) is decided here, once.
package dataworks

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"

	"github.com/flowform/flowform/internal/draft"
)

// APIVersion is the DataWorks OpenAPI version called.
const APIVersion = "2024-05-18"

// Config configures a Client.
type Config struct {
	// Endpoint overrides scheme and host (e.g. http://127.0.0.1:9000);
	// empty means the region's host from the region table over HTTPS.
	Endpoint       string
	ConnectTimeout time.Duration // default 5 s
	ReadTimeout    time.Duration // default 30 s; the whole call's deadline
	// Backoff is the first wait before retrying a throttled call; it
	// doubles each time, with jitter (default 500 ms).
	Backoff time.Duration
	// Sandbox marks submissions as going to the in-process fake.
	Sandbox bool
	// provider, when set, replaces the default chain (a fixed provider is
	// safe to share); only the sandbox and tests of the fake set it.
	provider credentials.CredentialsProvider
	// jitter spreads a backoff wait; tests make it exact.
	jitter func(time.Duration) time.Duration
}

// spread waits between half and one and a half times d, so that clients
// throttled together do not retry together.
func spread(d time.Duration) time.Duration { return d/2 + time.Duration(rand.Int64N(int64(d))) }

// maxTries is how often a throttled call is tried in all.
const maxTries = 3

// keepIdle is how many idle SDK clients are kept per region for reuse.
const keepIdle = 8

// Client calls DataWorks; it is safe for concurrent use. An SDK client must
// not run two calls at once (aliyun/alibaba-cloud-sdk-go#538: its timeout
// and transport setup race), so each call takes an SDK client of its own
// from a small free list: calls for different drafts run in parallel.
type Client struct {
	cfg      Config
	secrets  *secretSet // every credential value handed out, for redaction
	stop     chan struct{}
	stopOnce sync.Once

	mu   sync.Mutex
	idle map[string][]*sdk.Client // by region
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
	if cfg.jitter == nil {
		cfg.jitter = spread
	}
	return &Client{cfg: cfg, secrets: &secretSet{}, stop: make(chan struct{}), idle: map[string][]*sdk.Client{}}
}

// NewWithCredentials returns a client with fixed credentials: for the
// sandbox's generated keys and for tests of the fake; production uses New.
func NewWithCredentials(cfg Config, accessKeyID, secret, token string) *Client {
	if token != "" {
		cfg.provider = credentials.NewStaticSTSCredentialsProvider(accessKeyID, secret, token)
	} else {
		cfg.provider = credentials.NewStaticAKCredentialsProvider(accessKeyID, secret)
	}
	c := New(cfg)
	c.secrets.remember(&credentials.Credentials{AccessKeyId: accessKeyID, AccessKeySecret: secret, SecurityToken: token})
	return c
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

// Target implements draft.Submitter: where a region's calls are sent.
func (c *Client) Target(region string) string {
	scheme, host := c.target(region)
	return strings.ToLower(scheme) + "://" + host
}

// credentialsTime bounds fetching credentials before a call (an STS or
// instance-metadata round trip; the SDK's own limits are below it).
const credentialsTime = 20 * time.Second

// MaxDuration implements draft.Submitter: the longest Submit can take,
// every try fetching credentials and running to its deadline, plus the
// longest backoff waits.
func (c *Client) MaxDuration() time.Duration {
	d, wait := time.Duration(maxTries)*(credentialsTime+c.cfg.ReadTimeout), c.cfg.Backoff
	for range maxTries - 1 {
		d += wait * 3 / 2
		wait *= 2
	}
	return d
}

// Abandon stops waiting for calls in flight: each ends Unknown at once
// (the SDK cannot cancel a call, and DataWorks may still execute it). The
// server calls it when shutdown's grace period is over.
func (c *Client) Abandon() { c.stopOnce.Do(func() { close(c.stop) }) }

// target is the scheme and host a request goes to.
func (c *Client) target(region string) (scheme, host string) {
	if c.cfg.Endpoint != "" {
		if u, err := url.Parse(c.cfg.Endpoint); err == nil && u.Host != "" {
			return u.Scheme, u.Host
		}
	}
	return requests.HTTPS, Domain(region)
}

// take returns an idle SDK client for the region, or a new one.
func (c *Client) take(region string) (*sdk.Client, error) {
	c.mu.Lock()
	if list := c.idle[region]; len(list) > 0 {
		cl := list[len(list)-1]
		c.idle[region] = list[:len(list)-1]
		c.mu.Unlock()
		return cl, nil
	}
	c.mu.Unlock()
	// Each SDK client has a credentials provider of its own: the default
	// chain remembers which source worked and is not safe to share, and
	// an SDK client makes one call at a time.
	provider := c.cfg.provider
	if provider == nil {
		provider = credentials.NewDefaultCredentialsProvider()
	}
	cfg := sdk.NewConfig().WithScheme(requests.HTTPS).WithAutoRetry(false)
	cl, err := sdk.NewClientWithOptions(region, cfg, &recordingProvider{inner: provider, secrets: c.secrets})
	if err != nil {
		return nil, err
	}
	if _, host := c.target(region); isLoopback(host) {
		// The SDK applies HTTP(S)_PROXY even to loopback; a proxy cannot
		// reach this machine's sandbox or test endpoint.
		cl.SetNoProxy(regexp.QuoteMeta(host))
	}
	cl.SetConnectTimeout(c.cfg.ConnectTimeout)
	cl.SetReadTimeout(c.cfg.ReadTimeout)
	cl.SetCloseTrace(true)
	cl.AppendUserAgent("flowform", "1")
	return cl, nil
}

// put returns an SDK client to the free list once its call is over.
func (c *Client) put(region string, cl *sdk.Client) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.idle[region]) < keepIdle {
		c.idle[region] = append(c.idle[region], cl)
	}
}

// Submit implements draft.Submitter: one write call (the workflow
// operations, CreateNode, UpdateNode, DeleteNode). Only throttling is
// retried (exponential backoff with jitter, 3 tries): DataWorks refused
// those calls before doing anything. Nothing else is retried, since no
// operation takes an idempotency token.
func (c *Client) Submit(ctx context.Context, req draft.SubmitRequest) draft.SubmitResult {
	form := map[string]string{"ProjectId": req.ProjectID}
	switch req.Action {
	case draft.UpdateWorkflow, draft.UpdateNode, draft.DeleteNode:
		form["Id"] = req.ID
	case draft.CreateNode:
		form["Scene"] = req.Scene
		if req.ContainerID != "" {
			form["ContainerId"] = req.ContainerID
		}
	}
	if req.Action != draft.DeleteNode {
		form["Spec"] = string(req.Spec)
	}
	var res draft.SubmitResult
	c.retrying(ctx, func() bool {
		res.Tries++
		tries := res.Tries
		res = c.call(req.Region, requests.POST, req.Action, form, func(status int, body []byte) draft.SubmitResult {
			return outcomeOfAnswer(req, status, body)
		})
		res.Tries = tries
		return res.State == draft.Failed && strings.HasPrefix(res.ErrorCode, "Throttling")
	})
	res.Error = clip(c.secrets.redact(res.Error))
	res.Guidance = guidance(req, res, c.cfg.Sandbox)
	return res
}

// retrying runs try until it reports no throttling, at most maxTries
// times, waiting with backoff in between; ctx ending or the client being
// abandoned ends the waits (the last answer stands).
func (c *Client) retrying(ctx context.Context, try func() (throttled bool)) {
	wait := c.cfg.Backoff
	for n := 1; try() && n < maxTries; n++ {
		select {
		case <-ctx.Done():
			return
		case <-c.stop:
			return
		case <-time.After(c.cfg.jitter(wait)):
			wait *= 2
		}
	}
}

// call makes one API call on an SDK client of its own; read turns a 2xx
// answer into the outcome.
func (c *Client) call(region, method, action string, params map[string]string, read func(status int, body []byte) draft.SubmitResult) draft.SubmitResult {
	cl, err := c.take(region)
	if err != nil {
		return draft.SubmitResult{State: draft.Failed, ErrorCode: "SDK.Config", Error: err.Error()}
	}
	r := requests.NewCommonRequest()
	r.Method = method
	r.Scheme, r.Domain = c.target(region)
	r.Product = "dataworks-public"
	r.Version = APIVersion
	r.ApiName = action
	for k, v := range params {
		if method == requests.GET {
			r.QueryParams[k] = v
		} else {
			r.FormParams[k] = v
		}
	}

	done := make(chan draft.SubmitResult, 1)
	go func() {
		defer func() {
			// The SDK panics on some malformed answers (a numeric Code in an
			// error body); the call was made, so its effect is open.
			if p := recover(); p != nil {
				done <- draft.SubmitResult{State: draft.Unknown, ErrorCode: "BadResponse",
					Error: fmt.Sprintf("the SDK could not read DataWorks' answer: %v", p)}
			}
		}()
		resp, err := cl.ProcessCommonRequest(r)
		c.put(region, cl)
		if err != nil {
			done <- outcomeOfError(err)
			return
		}
		done <- read(resp.GetHttpStatus(), resp.GetHttpContentBytes())
	}()
	select {
	case res := <-done:
		return res
	case <-c.stop:
		select {
		case res := <-done: // an answer that came together with the stop wins
			return res
		default:
		}
		return draft.SubmitResult{State: draft.Unknown, ErrorCode: "Shutdown",
			Error: "FlowForm was shutting down before DataWorks answered; the call may still have been executed"}
	}
}

// outcomeOfAnswer reads a 2xx answer to a write. An answer that cannot be
// read is Unknown: DataWorks may have executed the call.
func outcomeOfAnswer(req draft.SubmitRequest, status int, body []byte) draft.SubmitResult {
	var answer struct {
		RequestId string
		Id        json.RawMessage
		Success   *bool
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return draft.SubmitResult{State: draft.Unknown, HTTPStatus: status, ErrorCode: "BadResponse",
			Error: "DataWorks answered " + strconv.Itoa(status) + " with a body that is not JSON"}
	}
	res := draft.SubmitResult{State: draft.Succeeded, RequestID: answer.RequestId, HTTPStatus: status, ID: req.ID}
	switch req.Action {
	case draft.CreateWorkflow, draft.CreateNode:
		res.ID = rawID(answer.Id)
		if res.ID == "" {
			res.State, res.ErrorCode, res.Error = draft.Unknown, "BadResponse", "DataWorks answered without an Id"
		}
	default:
		switch {
		case answer.Success == nil:
			res.State, res.ErrorCode, res.Error = draft.Unknown, "BadResponse", "DataWorks answered without saying whether "+req.Action+" succeeded"
		case !*answer.Success:
			res.State, res.ErrorCode, res.Error = draft.Failed, "UpdateNotApplied", "DataWorks answered Success=false: "+req.Action+" "+req.ID+" was not applied"
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

// isLoopback reports whether host (with or without a port) is this machine.
func isLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}
