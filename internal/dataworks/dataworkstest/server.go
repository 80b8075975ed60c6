// Package dataworkstest is a loopback stand-in for the DataWorks OpenAPI
// (2024-05-18) that checks requests the way the real service does: the RPC
// signature (HMAC-SHA1 over every query and form parameter), timestamp skew,
// nonce reuse, AccessKeyId and STS token, the action and version, and the
// FlowSpec itself. It answers in Alibaba's error shape, can be scripted
// (throttle, fail, sleep), and records every call. Tests use it, and
// FlowForm's sandbox mode runs it in-process.
package dataworkstest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Behavior is how the server answers one call.
type Behavior struct {
	Throttle bool          // 400 Throttling.User, nothing done
	Fail     bool          // 500 InternalError, nothing done
	Sleep    time.Duration // wait before answering (and still do the work)
	// Status with Body answers that status and body verbatim (a gateway's
	// page, a plain-text error) after doing the work, as when a gateway
	// gives up waiting for DataWorks.
	Status int
	Body   string
	// NotApplied makes UpdateWorkflowDefinition answer Success=false and
	// change nothing.
	NotApplied bool
}

// Call is one request the server received.
type Call struct {
	Action     string
	ProjectID  int64
	ID         string // UpdateWorkflowDefinition's Id
	Spec       string
	Code       string // "" for success, else the error code answered
	WorkflowID string // the Id created or updated
	Token      bool   // a SecurityToken was sent
	At         time.Time
	Took       time.Duration // time spent in the handler, sleeps included
}

// Server is a fake DataWorks endpoint on 127.0.0.1.
type Server struct {
	URL         string // e.g. http://127.0.0.1:40123
	AccessKeyID string
	Secret      string
	Token       string // required SecurityToken, if not empty

	srv *http.Server
	ln  net.Listener

	mu        sync.Mutex
	script    []Behavior
	calls     []Call
	nonces    map[string]bool
	workflows map[string]string // Id → Spec
	next      uint64
	inFlight  int
}

// New starts a server that accepts the given credentials. An empty token
// means static AccessKey credentials.
func New(accessKeyID, secret, token string) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), AccessKeyID: accessKeyID, Secret: secret, Token: token,
		ln: ln, nonces: map[string]bool{}, workflows: map[string]string{}, next: 4634978808809541234}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// NewWithRandomCredentials starts a server with fresh credentials, for the
// sandbox.
func NewWithRandomCredentials() (*Server, error) {
	return New("SANDBOX"+rand.Text()[:16], rand.Text(), "")
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Script queues behaviours for the next calls; once used up, calls succeed.
func (s *Server) Script(b ...Behavior) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, b...)
}

// Calls returns the calls received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Workflow returns the spec stored for a workflow Id.
func (s *Server) Workflow(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	spec, ok := s.workflows[id]
	return spec, ok
}

// PercentEncode is the RPC signature's encoding (RFC 3986).
func PercentEncode(v string) string {
	e := url.QueryEscape(v)
	e = strings.ReplaceAll(e, "+", "%20")
	e = strings.ReplaceAll(e, "*", "%2A")
	return strings.ReplaceAll(e, "%7E", "~")
}

// StringToSign builds the RPC string to sign from all parameters.
func StringToSign(method string, params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = PercentEncode(k) + "=" + PercentEncode(params[k])
	}
	return method + "&" + PercentEncode("/") + "&" + PercentEncode(strings.Join(pairs, "&"))
}

// Sign is HMAC-SHA1 with the secret and "&", base64-encoded.
func Sign(stringToSign, secret string) string {
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

type apiError struct {
	status        int
	code, message string
}

// rawCode marks an apiError whose message is the whole body, not
// Alibaba's error shape.
const rawCode = "raw"

// Pending is the number of calls being handled right now.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inFlight
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.inFlight++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	start := time.Now()
	requestID := strings.ToUpper(rand.Text()[:8]) + "-FAKE"
	call, result, e := s.handle(r)
	call.At, call.Took = start, time.Since(start)
	if e != nil {
		call.Code = e.code
	}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
	if e != nil && e.code == rawCode {
		w.Header().Set("Content-Type", "text/html;charset=utf-8")
		w.WriteHeader(e.status)
		io.WriteString(w, e.message)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	if e != nil {
		w.WriteHeader(e.status)
		json.NewEncoder(w).Encode(map[string]string{"RequestId": requestID, "HostId": "dataworks.fake", "Code": e.code,
			"Message": e.message, "Recommend": "https://api.aliyun.com/troubleshoot?q=" + e.code})
		return
	}
	result["RequestId"] = requestID
	json.NewEncoder(w).Encode(result)
}

func (s *Server) handle(r *http.Request) (Call, map[string]any, *apiError) {
	var call Call
	if r.URL.Path != "/" {
		return call, nil, &apiError{404, "InvalidAction.NotFound", "path must be /"}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return call, nil, &apiError{400, "InvalidParameter", "unreadable body"}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return call, nil, &apiError{400, "InvalidParameter", "malformed form body"}
	}
	params := map[string]string{}
	for k, v := range r.URL.Query() {
		params[k] = v[0]
	}
	for k, v := range form {
		params[k] = v[0]
	}
	call.Action = params["Action"]
	for _, k := range []string{"AccessKeyId", "Action", "Format", "Signature", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp", "Version"} {
		if _, ok := params[k]; !ok {
			return call, nil, &apiError{400, "MissingParameter", "missing " + k}
		}
	}
	if params["SignatureMethod"] != "HMAC-SHA1" || params["SignatureVersion"] != "1.0" {
		return call, nil, &apiError{400, "InvalidParameter", "unsupported signature method"}
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", params["Timestamp"])
	if err != nil || time.Since(ts).Abs() > 15*time.Minute {
		return call, nil, &apiError{400, "InvalidTimeStamp.Expired", "timestamp is missing, malformed or more than 15 minutes off"}
	}
	if params["AccessKeyId"] != s.AccessKeyID {
		return call, nil, &apiError{404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."}
	}
	sts := StringToSign(r.Method, params)
	if !hmac.Equal([]byte(Sign(sts, s.Secret)), []byte(params["Signature"])) {
		return call, nil, &apiError{400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string to sign is:" + sts}
	}
	s.mu.Lock()
	reused := s.nonces[params["SignatureNonce"]]
	s.nonces[params["SignatureNonce"]] = true
	s.mu.Unlock()
	if reused {
		return call, nil, &apiError{400, "SignatureNonceUsed", "Specified signature nonce was used already."}
	}
	call.Token = params["SecurityToken"] != ""
	if s.Token != "" && params["SecurityToken"] != s.Token {
		return call, nil, &apiError{400, "InvalidSecurityToken.Mismatch", "Specified SecurityToken is not valid."}
	}
	if params["Version"] != "2024-05-18" || (call.Action != "CreateWorkflowDefinition" && call.Action != "UpdateWorkflowDefinition") {
		return call, nil, &apiError{404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."}
	}
	if r.Method != http.MethodPost {
		return call, nil, &apiError{400, "InvalidParameter", "write operations are POST"}
	}
	call.ProjectID, err = strconv.ParseInt(form.Get("ProjectId"), 10, 64)
	if err != nil || call.ProjectID <= 0 {
		return call, nil, &apiError{400, "InvalidParameter", "ProjectId must be a positive integer in the form body"}
	}
	call.Spec, call.ID = form.Get("Spec"), form.Get("Id")
	if msg := checkSpec(call.Spec); msg != "" {
		return call, nil, &apiError{400, "InvalidParameter", msg}
	}

	s.mu.Lock()
	var b Behavior
	if len(s.script) > 0 {
		b, s.script = s.script[0], s.script[1:]
	}
	s.mu.Unlock()
	switch {
	case b.Throttle:
		return call, nil, &apiError{400, "Throttling.User", "Request was denied due to user flow control."}
	case b.Fail:
		return call, nil, &apiError{500, "InternalError", "The request processing has failed due to some unknown error."}
	}
	if b.NotApplied && call.Action == "UpdateWorkflowDefinition" {
		return call, map[string]any{"Success": false}, nil
	}
	// The work happens even if the caller stops waiting.
	s.mu.Lock()
	if call.Action == "UpdateWorkflowDefinition" {
		if _, ok := s.workflows[call.ID]; !ok {
			s.mu.Unlock()
			return call, nil, &apiError{404, "InvalidParameter.WorkflowNotFound", "workflow " + call.ID + " does not exist"}
		}
		call.WorkflowID = call.ID
	} else {
		s.next++
		call.WorkflowID = strconv.FormatUint(s.next, 10)
	}
	s.workflows[call.WorkflowID] = call.Spec
	s.mu.Unlock()
	time.Sleep(b.Sleep)
	if b.Status != 0 {
		return call, nil, &apiError{b.Status, rawCode, b.Body}
	}
	if call.Action == "UpdateWorkflowDefinition" {
		return call, map[string]any{"Success": true}, nil
	}
	// Id as a string, as SDK 8.0.0+ and the 2024-05-18 API define it.
	return call, map[string]any{"Id": call.WorkflowID}, nil
}

// checkSpec applies the checks DataWorks makes before creating a workflow.
func checkSpec(spec string) string {
	var doc struct {
		Kind string `json:"kind"`
		Spec struct {
			Workflows []struct {
				Name   string `json:"name"`
				Script struct {
					Path    string `json:"path"`
					Runtime struct {
						Command string `json:"command"`
					} `json:"runtime"`
				} `json:"script"`
				Strategy map[string]any `json:"strategy"`
			} `json:"workflows"`
		} `json:"spec"`
	}
	if err := json.Unmarshal([]byte(spec), &doc); err != nil {
		return "Spec is not valid JSON: " + err.Error()
	}
	if doc.Kind != "CycleWorkflow" && doc.Kind != "ManualWorkflow" {
		return fmt.Sprintf("spec kind %q and request not match", doc.Kind)
	}
	if len(doc.Spec.Workflows) == 0 {
		return "spec has no workflow"
	}
	wf := doc.Spec.Workflows[0]
	if wf.Script.Runtime.Command != "WORKFLOW" {
		return "script.runtime.command is empty"
	}
	if !strings.HasSuffix(wf.Script.Path, wf.Name) || wf.Name == "" {
		return "Script path must end with node name"
	}
	labels := map[string][]string{"rerunMode": {"Allowed", "Denied", "FailureAllowed"}, "instanceMode": {"T+1", "Immediately"},
		"failureStrategy": {"Continue", "Break"}, "recurrenceType": {"Normal", "Pause", "Skip"}}
	for key, allowed := range labels {
		if v, ok := wf.Strategy[key].(string); ok && !contains(allowed, v) {
			return fmt.Sprintf("Enum not found: %s %q", key, v)
		}
	}
	return ""
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}
