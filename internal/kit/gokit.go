package kit

import (
	"fmt"
	"go/format"
	"strconv"
	"strings"

	"github.com/flowform/flowform/internal/draft"
)

// EndpointVar is the environment variable that points the Go program at
// another endpoint than DataWorks' (scheme and host, e.g.
// http://127.0.0.1:9000, for a test endpoint).
const EndpointVar = "DATAWORKS_ENDPOINT"

// Go returns a Go program (package main, gofmt-clean) that makes the calls
// in order with github.com/aliyun/alibaba-cloud-sdk-go as FlowForm makes
// them: a CommonRequest, POST with the parameters in a form body, HTTPS
// to domain, version 2024-05-18, credentials from the SDK's default
// chain. It keeps the Id answered to each call with Captures (read as a
// string or a number, never through float64) and puts it where later
// calls name it with draft.Placeholder; it prints each call's RequestId
// and Id and exits 1 at the first call that fails, answers without the Id
// it needs, or answers Success=false. EndpointVar overrides scheme and
// host.
func Go(region, domain, projectID string, calls []draft.KitCall) string {
	// The program writes placeholders as the draft package does.
	prefix, suffix, _ := strings.Cut(draft.Placeholder("\x00"), "\x00")
	var b strings.Builder
	fmt.Fprintf(&b, `// Command delivery makes the DataWorks calls FlowForm planned, in order,
// once. Run it with go run in a module that requires
// github.com/aliyun/alibaba-cloud-sdk-go. Credentials come from the SDK's
// default chain: ALIBABA_CLOUD_ACCESS_KEY_ID and
// ALIBABA_CLOUD_ACCESS_KEY_SECRET, the aliyun CLI's profile, …
// %[1]s=scheme://host sends the calls elsewhere (a test endpoint).
// It stops at the first call that fails; the calls before it are done in
// DataWorks, so do not run it again as is.
package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
)

const (
	region    = %[2]s
	domain    = %[3]s
	projectID = %[4]s
)

func main() {
	// A nil credential selects the SDK's default chain.
	client, err := sdk.NewClientWithOptions(region, sdk.NewConfig().WithScheme(requests.HTTPS), nil)
	if err != nil {
		fail("client", err)
	}
	client.SetReadTimeout(30 * time.Second) // the whole call's deadline; the SDK's default is 10 s
	d := &delivery{client: client, scheme: requests.HTTPS, domain: domain, ids: map[string]string{}}
	if e := os.Getenv(%[5]s); e != "" {
		u, err := url.Parse(e)
		if err != nil || u.Host == "" {
			fail(%[5]s, fmt.Errorf("%%q is not scheme://host", e))
		}
		d.scheme, d.domain = u.Scheme, u.Host
	}
`, EndpointVar, strconv.Quote(region), strconv.Quote(domain), strconv.Quote(projectID), strconv.Quote(EndpointVar))
	for i, c := range calls {
		name := label(i, len(calls), c)
		fmt.Fprintf(&b, "\n\t// %s\n\td.call(%s, %s, %s, map[string]string{\n", name, strconv.Quote(name), strconv.Quote(c.Action), strconv.Quote(c.Captures))
		for _, p := range params(c) {
			fmt.Fprintf(&b, "\t\t%s: %s,\n", strconv.Quote(p.key), strconv.Quote(p.value))
		}
		b.WriteString("\t})\n")
	}
	fmt.Fprintf(&b, `	fmt.Println("All calls answered.")
}

// delivery makes the calls and keeps the Ids DataWorks assigns.
type delivery struct {
	client         *sdk.Client
	scheme, domain string
	ids            map[string]string // by the name later calls use, e.g. "WORKFLOW_ID"
}

// call makes one write call (POST, form body) with every placeholder of an
// Id kept so far replaced by the Id, prints its RequestId and Id and, when
// captures is set, keeps the Id under that name. It exits at the first
// error.
func (d *delivery) call(step, action, captures string, params map[string]string) {
	var swap []string
	for name, id := range d.ids {
		swap = append(swap, placeholder(name), id)
	}
	r := strings.NewReplacer(swap...)
	req := requests.NewCommonRequest()
	req.Method = requests.POST // CommonRequest defaults to GET; writes are POST
	req.Scheme = d.scheme
	req.Domain = d.domain // the SDK's endpoint table has no DataWorks
	req.Product = "dataworks-public"
	req.Version = "2024-05-18"
	req.ApiName = action
	req.FormParams["ProjectId"] = projectID
	for k, v := range params {
		req.FormParams[k] = r.Replace(v) // in the body: a Spec is too long for a URL
	}
	// No automatic retry: no call has an idempotency token, and a retried
	// create could create twice.
	resp, err := d.client.ProcessCommonRequest(req)
	if err != nil {
		fail(step, err)
	}
	var answer struct {
		RequestId string
		Id        json.RawMessage // a string or a number; a 19-digit Id loses digits in a float64
		Success   *bool
	}
	if err := json.Unmarshal(resp.GetHttpContentBytes(), &answer); err != nil {
		fail(step, fmt.Errorf("the answer is not JSON: %%s", resp.GetHttpContentString()))
	}
	id := rawID(answer.Id)
	fmt.Printf("%%s: RequestId %%s, Id %%s\n", step, answer.RequestId, id)
	switch {
	case answer.Success != nil && !*answer.Success:
		fail(step, fmt.Errorf("DataWorks answered Success=false: the call was not applied"))
	case captures != "" && id == "":
		fail(step, fmt.Errorf("DataWorks answered without an Id"))
	case captures != "":
		d.ids[captures] = id
	}
}

// placeholder marks where a call names the Id kept under name.
func placeholder(name string) string { return %[1]s + name + %[2]s }

// rawID is an Id sent as a JSON string or number, as text.
func rawID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// fail reports the step that failed and exits 1.
func fail(step string, err error) {
	fmt.Fprintf(os.Stderr, "%%s: %%v\nNothing after it was sent.\n", step, err)
	os.Exit(1)
}
`, strconv.Quote(prefix), strconv.Quote(suffix))
	src, err := format.Source([]byte(b.String()))
	if err != nil {
		// The generator writes every value with strconv.Quote, so this is a
		// bug here, not in the plan; the unformatted text still says more
		// than nothing.
		return b.String()
	}
	return string(src)
}
