package web

import (
	"go/parser"
	"go/token"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func runShell(script string) (string, error) {
	out, err := exec.Command("sh", "-c", script).Output()
	return string(out), err
}

func parseGo(src string) error {
	_, err := parser.ParseFile(token.NewFileSet(), "snippet.go", src, 0)
	return err
}

func TestRequestKitIsQuotedCorrectly(t *testing.T) {
	spec := `{"name":"it's a \"test\" $HOME ` + "`x`" + ` 销售"}`
	cli := cliCommand("UpdateWorkflowDefinition", "cn-shanghai", "7", "4634978808809541235", spec)
	if strings.Contains(cli, "--version") || strings.Contains(cli, "--method") {
		t.Errorf("the official CLI refuses --version for dataworks-public: %s", cli)
	}
	i := strings.Index(cli, "--Spec ")
	out, err := runShell("printf %s " + cli[i+len("--Spec "):])
	if err != nil || out != spec {
		t.Fatalf("shell read the quoted spec as %q (%v)", out, err)
	}
	src := goSnippet("UpdateWorkflowDefinition", "cn-shanghai", "dataworks.cn-shanghai.aliyuncs.com", "7", "4634978808809541235", spec)
	if err := parseGo(src); err != nil {
		t.Fatalf("Go snippet does not parse: %v\n%s", err, src)
	}
	if !strings.Contains(src, `req.FormParams["Id"] = "4634978808809541235"`) {
		t.Error("update snippet lacks the Id")
	}
	m := regexp.MustCompile(`req.FormParams\["Spec"\] = (".*")`).FindStringSubmatch(src)
	if m == nil {
		t.Fatal("spec literal missing")
	}
	if back, err := strconv.Unquote(m[1]); err != nil || back != spec {
		t.Fatalf("Go literal holds %q (%v)", back, err)
	}
}

// TestSubmitRoutesExistWithoutSubmitter: a server whose submitter could
// not be built still has its submit routes; they say why nothing can be
// sent (503), and the editor still links to them.
func TestSubmitRoutesExistWithoutSubmitter(t *testing.T) {
	srv := newTestServer(t)
	d := createDraft(t, srv, `{"projectId":"7","template":"daily"}`)
	r := do(t, srv, "POST", "/api/v1/drafts/"+d.ID+"/submit", "application/json", "", map[string]string{"If-Match": `"1"`})
	if r.status != 503 || !strings.Contains(string(r.body), "submission_unavailable") || !strings.Contains(string(r.body), "nothing was sent") {
		t.Fatalf("%d %s", r.status, r.body)
	}
	for _, path := range []string{"/d/" + d.ID + "/submit", "/api/v1/drafts/" + d.ID + "/submissions"} {
		if r := do(t, srv, "GET", path, "", "", nil); r.status != 200 {
			t.Errorf("GET %s: %d", path, r.status)
		}
	}
	confirm := string(do(t, srv, "GET", "/d/"+d.ID+"/submit", "", "", nil).body)
	if strings.Contains(confirm, `data-testid="submit-button"`) || !strings.Contains(confirm, "submission is not available on this server") {
		t.Error("the confirm page offers a Submit button that cannot work")
	}
	if r := do(t, srv, "GET", "/d/"+d.ID, "", "", nil); !strings.Contains(string(r.body), `data-testid="submit-link"`) {
		t.Error("the editor has no Submit link")
	}
}
