// Package dataworkstest is a loopback stand-in for the DataWorks OpenAPI
// (2024-05-18) that checks requests the way the real service does: the RPC
// signature (HMAC-SHA1 over every query and form parameter), timestamp skew,
// nonce reuse, AccessKeyId and STS token, the action and version, the
// transport (reads are GET with query parameters, writes POST with a form
// body), and the FlowSpec itself. It holds workflows and their inner nodes
// the way DataWorks does (CreateWorkflowDefinition ignores inner nodes;
// CreateNode adds one node to a workflow), answers in Alibaba's shapes and
// error shape, can be scripted (throttle, fail, sleep, gateway errors,
// dropped dependencies) globally or per operation and call number, and
// records every call. Tests use it, and FlowForm's sandbox mode runs it
// in-process.
package dataworkstest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
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
	Sleep    time.Duration // do the work, then wait before answering
	// Status with Body answers that status and body verbatim (a gateway's
	// page, a plain-text error) after doing the work, as when a gateway
	// gives up waiting for DataWorks.
	Status int
	Body   string
	// NotApplied makes UpdateWorkflowDefinition and UpdateNode answer
	// Success=false and change nothing.
	NotApplied bool
	// DropDependency makes CreateNode and UpdateNode store the node but
	// silently drop its dependency entry, answering success
	// (nodes-reference §3.6.3 says CreateNode can).
	DropDependency bool
}

// Call is one request the server received.
type Call struct {
	Action      string
	Method      string // GET or POST
	ProjectID   int64  // 0 when ProjectId is missing or malformed
	ID          string // the Id parameter (the workflow or node addressed)
	Spec        string
	ContainerID string
	Scene       string
	Code        string // "" for success, else the error code answered
	WorkflowID  string // the workflow Id created or updated (workflow writes only)
	NodeID      string // the node Id created, updated, deleted or read
	Token       bool   // a SecurityToken was sent
	// Params holds every parameter but the signature's own (AccessKeyId,
	// SecurityToken, Signature*, Timestamp).
	Params map[string]string
	At     time.Time
	Took   time.Duration // time spent in the handler, sleeps included
}

// Server is a fake DataWorks endpoint on 127.0.0.1.
type Server struct {
	URL         string // e.g. http://127.0.0.1:40123
	AccessKeyID string
	Secret      string
	Token       string // required SecurityToken, if not empty
	// Owner is the account UID recorded as owner of what is created
	// without an owner in its Spec.
	Owner string

	srv *http.Server
	ln  net.Listener

	mu        sync.Mutex
	script    []Behavior
	faults    map[fault]Behavior
	received  map[string]int // calls received per action
	calls     []Call
	nonces    map[string]bool
	workflows map[string]*workflow
	nodes     map[string]*node
	wfOrder   []string // workflow ids in creation order
	nodeOrder []string // node ids in creation order
	next      uint64
	inFlight  int

	// persistMu orders the saves to stateFile (see PersistTo); it is
	// taken before mu, never while holding it.
	persistMu sync.Mutex
	stateFile string
}

type fault struct {
	action string
	call   int
}

// DefaultOwner is the Owner a new server records.
const DefaultOwner = "1900000000000001"

// New starts a server that accepts the given credentials. An empty token
// means static AccessKey credentials.
func New(accessKeyID, secret, token string) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), AccessKeyID: accessKeyID, Secret: secret, Token: token, Owner: DefaultOwner,
		ln: ln, faults: map[fault]Behavior{}, received: map[string]int{}, nonces: map[string]bool{},
		workflows: map[string]*workflow{}, nodes: map[string]*node{}, next: 4634978808809541234}
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

// Script queues behaviours for the next calls of any action; once used up,
// calls succeed. A call takes its behaviour once it has been authenticated
// and its parameters checked, so a refused request uses up nothing.
func (s *Server) Script(b ...Behavior) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, b...)
}

// Fault makes the call-th call of action (1-based, counting every call of
// that action received, failed ones included — see Count) behave as b. A
// fault takes precedence over the Script queue, which that call then leaves
// untouched.
func (s *Server) Fault(action string, call int, b Behavior) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[fault{action, call}] = b
}

// Count is the number of calls of action received so far, counted on
// arrival (before any check), so it includes calls still being handled.
func (s *Server) Count(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received[action]
}

// Calls returns the calls answered so far, in the order they were answered.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Pending is the number of calls being handled right now.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inFlight
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

func invalid(format string, a ...any) *apiError {
	return &apiError{400, "InvalidParameter", fmt.Sprintf(format, a...)}
}

// ServeHTTP answers one OpenAPI call and records it.
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
	var call Call
	result, e := s.handle(r, &call)
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

// operation is one OpenAPI action: whether it writes (POST, form body) or
// reads (GET, query string), and its handler.
type operation struct {
	write  bool
	handle func(*Server, *request) (map[string]any, *apiError)
}

var operations = map[string]operation{
	"CreateWorkflowDefinition": {true, (*Server).createWorkflow},
	"UpdateWorkflowDefinition": {true, (*Server).updateWorkflow},
	"GetWorkflowDefinition":    {false, (*Server).getWorkflow},
	"ListWorkflowDefinitions":  {false, (*Server).listWorkflows},
	"CreateNode":               {true, (*Server).createNode},
	"UpdateNode":               {true, (*Server).updateNode},
	"DeleteNode":               {true, (*Server).deleteNode},
	"GetNode":                  {false, (*Server).getNode},
	"ListNodes":                {false, (*Server).listNodes},
	"ListNodeDependencies":     {false, (*Server).listNodeDependencies},
}

// common are the RPC parameters every call carries; they may be anywhere.
// The value says whether the parameter belongs to the signature (and is
// therefore left out of Call.Params).
var common = map[string]bool{"AccessKeyId": true, "SecurityToken": true, "Signature": true, "SignatureMethod": true,
	"SignatureNonce": true, "SignatureType": true, "SignatureVersion": true, "Timestamp": true,
	"Action": false, "Format": false, "RegionId": false, "Version": false}

func (s *Server) handle(r *http.Request, call *Call) (map[string]any, *apiError) {
	call.Method = r.Method
	if r.URL.Path != "/" {
		return nil, &apiError{404, "InvalidAction.NotFound", "path must be /"}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return nil, invalid("unreadable body")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, invalid("malformed form body")
	}
	query := r.URL.Query()
	params := map[string]string{}
	for k, v := range query {
		params[k] = v[0]
	}
	for k, v := range form {
		params[k] = v[0]
	}
	call.Action = params["Action"]
	s.mu.Lock()
	s.received[call.Action]++
	number := s.received[call.Action]
	s.mu.Unlock()
	call.Params = map[string]string{}
	for k, v := range params {
		if !common[k] {
			call.Params[k] = v
		}
	}

	for _, k := range []string{"AccessKeyId", "Action", "Format", "Signature", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp", "Version"} {
		if _, ok := params[k]; !ok {
			return nil, &apiError{400, "MissingParameter", "missing " + k}
		}
	}
	if params["SignatureMethod"] != "HMAC-SHA1" || params["SignatureVersion"] != "1.0" {
		return nil, invalid("unsupported signature method")
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", params["Timestamp"])
	if err != nil || time.Since(ts).Abs() > 15*time.Minute {
		return nil, &apiError{400, "InvalidTimeStamp.Expired", "timestamp is missing, malformed or more than 15 minutes off"}
	}
	if params["AccessKeyId"] != s.AccessKeyID {
		return nil, &apiError{404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."}
	}
	sts := StringToSign(r.Method, params)
	if !hmac.Equal([]byte(Sign(sts, s.Secret)), []byte(params["Signature"])) {
		return nil, &apiError{400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string to sign is:" + sts}
	}
	s.mu.Lock()
	reused := s.nonces[params["SignatureNonce"]]
	s.nonces[params["SignatureNonce"]] = true
	s.mu.Unlock()
	if reused {
		return nil, &apiError{400, "SignatureNonceUsed", "Specified signature nonce was used already."}
	}
	call.Token = params["SecurityToken"] != ""
	if s.Token != "" && params["SecurityToken"] != s.Token {
		return nil, &apiError{400, "InvalidSecurityToken.Mismatch", "Specified SecurityToken is not valid."}
	}
	op, known := operations[call.Action]
	if params["Version"] != "2024-05-18" || !known {
		return nil, &apiError{404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."}
	}

	// The official clients send reads as GET with every parameter in the
	// query, writes as POST with a form body (nodes-reference §1.1).
	p := map[string]string{}
	if op.write {
		if r.Method != http.MethodPost {
			return nil, invalid("%s is a write operation: send it as POST with its parameters in a form body, not as %s", call.Action, r.Method)
		}
		for _, k := range slices.Sorted(maps.Keys(query)) {
			if _, ok := common[k]; !ok {
				return nil, invalid("parameter %s of %s belongs in the form body, not in the query string", k, call.Action)
			}
		}
		for k, v := range form {
			if _, ok := common[k]; !ok {
				p[k] = v[0]
			}
		}
	} else {
		if r.Method != http.MethodGet {
			return nil, invalid("%s is a read operation: send it as GET with all parameters in the query string, not as %s", call.Action, r.Method)
		}
		if len(form) > 0 {
			k := slices.Sorted(maps.Keys(form))[0]
			return nil, invalid("%s is a read operation: parameter %s belongs in the query string, not in a body", call.Action, k)
		}
		for k, v := range query {
			if _, ok := common[k]; !ok {
				p[k] = v[0]
			}
		}
	}
	call.ProjectID, _ = strconv.ParseInt(p["ProjectId"], 10, 64)
	call.ID, call.Spec, call.ContainerID, call.Scene = p["Id"], p["Spec"], p["ContainerId"], p["Scene"]
	where := "query string"
	if op.write {
		where = "form body"
	}
	return op.handle(s, &request{s: s, call: call, p: p, where: where, number: number})
}

// request is one authenticated call on its way through a handler.
type request struct {
	s      *Server
	call   *Call
	p      map[string]string // the operation's own parameters
	where  string            // where they came from, for messages
	number int               // this call's number among calls of its action
	b      Behavior          // decided by decide
}

// projectID reads ProjectId, which every operation here takes.
func (q *request) projectID() (int64, *apiError) {
	id, err := strconv.ParseInt(q.p["ProjectId"], 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid("ProjectId must be a positive integer in the %s", q.where)
	}
	return id, nil
}

// required reads a parameter that must be present and non-empty.
func (q *request) required(name string) (string, *apiError) {
	v := q.p[name]
	if v == "" {
		return "", invalid("%s is mandatory for %s", name, q.call.Action)
	}
	return v, nil
}

// object reads the ProjectId and Id of a call on one workflow or node.
func (q *request) object() (projectID int64, id string, e *apiError) {
	if projectID, e = q.projectID(); e != nil {
		return 0, "", e
	}
	id, e = q.required("Id")
	return projectID, id, e
}

// paging reads PageNumber (from 1, default 1) and PageSize (1–100,
// default 10), as the List operations document them.
func (q *request) paging() (number, size int, e *apiError) {
	number, size = 1, 10
	for _, f := range []struct {
		name string
		v    *int
		max  int
	}{{"PageNumber", &number, 1 << 30}, {"PageSize", &size, 100}} {
		raw, ok := q.p[f.name]
		if !ok {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > f.max {
			if f.max == 100 {
				return 0, 0, invalid("PageSize must be an integer from 1 to 100, got %q", raw)
			}
			return 0, 0, invalid("%s must be a positive integer, got %q", f.name, raw)
		}
		*f.v = n
	}
	return number, size, nil
}

// page cuts one page out of items.
func page[T any](items []T, number, size int) []T {
	from := (number - 1) * size
	if from >= len(items) {
		return []T{}
	}
	return items[from:min(from+size, len(items))]
}

// pagingInfo is the List operations' answer; ListNodes and
// ListNodeDependencies type TotalCount as a string, ListWorkflowDefinitions
// as a number (SDK v8 models).
func pagingInfo(number, size int, total any, key string, items []map[string]any) map[string]any {
	return map[string]any{"PagingInfo": map[string]any{"PageNumber": number, "PageSize": size, "TotalCount": total, key: items}}
}

// decide picks this call's behaviour — its fault if one is set, else the
// next scripted one — and ends the call when that behaviour refuses it
// before any work.
func (q *request) decide() *apiError {
	s := q.s
	s.mu.Lock()
	b, ok := s.faults[fault{q.call.Action, q.number}]
	if !ok && len(s.script) > 0 {
		b, s.script = s.script[0], s.script[1:]
	}
	s.mu.Unlock()
	q.b = b
	switch {
	case b.Throttle:
		return &apiError{400, "Throttling.User", "Request was denied due to user flow control."}
	case b.Fail:
		return &apiError{500, "InternalError", "The request processing has failed due to some unknown error."}
	}
	return nil
}

// answer ends a call whose work is done: the caller may have stopped
// waiting (Sleep) or a gateway may answer in DataWorks' place (Status).
func (q *request) answer(result map[string]any) (map[string]any, *apiError) {
	time.Sleep(q.b.Sleep)
	if q.b.Status != 0 {
		return nil, &apiError{q.b.Status, rawCode, q.b.Body}
	}
	return result, nil
}

// newID hands out the next 19-digit id; s.mu must be held.
func (s *Server) newID() string {
	s.next++
	return strconv.FormatUint(s.next, 10)
}

// later is a modification time after prev, in ms: edits within the same
// millisecond still move ModifyTime forward.
func later(prev int64) int64 {
	return max(time.Now().UnixMilli(), prev+1)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}
