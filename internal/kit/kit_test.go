package kit

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/flowform/flowform/internal/draft"
)

// tricky holds what a shell or a Go literal could get wrong: both quotes,
// $ and backtick expansions, a command substitution, backslashes before n
// and before a quote, a real newline and tab, CJK, printf directives, and
// the shell quoting kit itself writes.
const tricky = "it's \"q\" $HOME `touch PWNED` $(touch PWNED) ${x} \\n \\\\ \\' \n second line\t销售日报 %s %% !! '\"$NODE_3\"' \\\n"

var (
	wf    = draft.Placeholder(draft.WorkflowVar)
	node2 = draft.Placeholder("NODE_2")
	node3 = draft.Placeholder("NODE_3")
)

// trickyPlan has every action and every way a placeholder appears: as a
// whole argument, inside JSON next to quotes, twice, adjacent to another,
// and one of no earlier call (NODE_9), which stays literal.
func trickyPlan() []draft.KitCall {
	return []draft.KitCall{
		{Action: draft.CreateWorkflow, Name: "日报\n$(touch PWNED)", Spec: `{"name":"` + tricky + `"}`, Captures: draft.WorkflowVar},
		{Action: draft.CreateNode, Name: "a'b", ContainerID: wf, Scene: "DATAWORKS_PROJECT",
			Spec: `{"x":"'` + wf + `'","y":"` + draft.Placeholder("NODE_9") + `"}`, Captures: "NODE_2"},
		{Action: draft.CreateNode, Name: "c", ContainerID: wf, Scene: "DATAWORKS_PROJECT",
			Spec: `{"output":"` + node2 + `","twice":"` + node2 + wf + `"}`, Captures: "NODE_3"},
		{Action: draft.UpdateNode, Name: "c", ID: node3, Spec: tricky},
		{Action: draft.UpdateWorkflow, Name: "w", ID: wf, Spec: "{}"},
		{Action: draft.DeleteNode, Name: "old", ID: "4634978808809541299"},
	}
}

// stubID is the Id the recording stub answers its nth call.
func stubID(n int) string { return "463497880880954123" + strconv.Itoa(n) }

// trickyArgs is what each call of trickyPlan must pass to aliyun, with the
// stub's Ids in place of the placeholders; written out, not derived.
func trickyArgs() [][]string {
	pre := func(action string) []string {
		return []string{"dataworks-public", action, "--region", "cn-shanghai", "--ProjectId", "7"}
	}
	return [][]string{
		append(pre("CreateWorkflowDefinition"), "--Spec", `{"name":"`+tricky+`"}`),
		append(pre("CreateNode"), "--ContainerId", stubID(1), "--Scene", "DATAWORKS_PROJECT",
			"--Spec", `{"x":"'`+stubID(1)+`'","y":"@@flowform:NODE_9@@"}`),
		append(pre("CreateNode"), "--ContainerId", stubID(1), "--Scene", "DATAWORKS_PROJECT",
			"--Spec", `{"output":"`+stubID(2)+`","twice":"`+stubID(2)+stubID(1)+`"}`),
		append(pre("UpdateNode"), "--Id", stubID(3), "--Spec", tricky),
		append(pre("UpdateWorkflowDefinition"), "--Id", stubID(1), "--Spec", "{}"),
		append(pre("DeleteNode"), "--Id", "4634978808809541299"),
	}
}

// recorder is a stand-in aliyun for the quoting tests: it records its
// arguments NUL-separated and answers as KIT_ANSWER says, in the official
// CLI's layout.
const recorder = `#!/bin/sh
n=$(( $(cat "$KIT_RECORD/n" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$KIT_RECORD/n"
for a in "$@"; do printf '%s\0' "$a"; done > "$KIT_RECORD/call-$n"
if [ "${KIT_FAIL_AT:-}" = "$n" ]; then echo 'ERROR: SDK.ServerError' >&2; exit 1; fi
case "${KIT_ANSWER:-string}" in
string) printf '{\n\t"Id": "%s",\n\t"RequestId": "R%s"\n}\n' "463497880880954123$n" "$n" ;;
number) printf '{\n\t"Id": %s,\n\t"RequestId": "R%s"\n}\n' "463497880880954123$n" "$n" ;;
compact) printf '{"RequestId":"R%s","Id":"%s"}\n' "$n" "463497880880954123$n" ;;
none) printf '{\n\t"RequestId": "R%s"\n}\n' "$n" ;;
false) printf '{\n\t"RequestId": "R%s",\n\t"Success": false\n}\n' "$n" ;;
esac
`

// shells are the POSIX shells here to run scripts with.
func shells(t *testing.T) [][]string {
	var out [][]string
	for _, sh := range [][]string{{"sh"}, {"dash"}, {"bash", "--posix"}, {"busybox", "sh"}} {
		if _, err := exec.LookPath(sh[0]); err == nil {
			out = append(out, sh)
		}
	}
	if len(out) == 0 {
		t.Fatal("no sh on PATH")
	}
	return out
}

type scriptRun struct {
	calls  [][]string // the arguments of each aliyun call
	stdout string
	stderr string
	err    error
	dir    string // the working directory it ran in
}

// runScript runs script with the recorder as aliyun; env adds KIT_*
// settings.
func runScript(t *testing.T, shell []string, script string, env ...string) scriptRun {
	t.Helper()
	dir := t.TempDir()
	bin, record, work := filepath.Join(dir, "bin"), filepath.Join(dir, "record"), filepath.Join(dir, "work")
	for _, d := range []string{bin, record, work} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(bin, "aliyun"), []byte(recorder), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "kit.sh")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(shell[0], append(shell[1:], file)...)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "KIT_RECORD="+record)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	r := scriptRun{err: cmd.Run(), stdout: stdout.String(), stderr: stderr.String(), dir: work}
	for n := 1; ; n++ {
		data, err := os.ReadFile(filepath.Join(record, "call-"+strconv.Itoa(n)))
		if err != nil {
			break
		}
		r.calls = append(r.calls, strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00"))
	}
	return r
}

func TestShellWordSurvivesTheShell(t *testing.T) {
	dir := t.TempDir()
	printf := func(script string) (string, error) {
		cmd := exec.Command("sh", "-c", script)
		cmd.Dir = dir
		out, err := cmd.Output()
		return string(out), err
	}
	for _, v := range []string{tricky, "", "'", "''", `\`, "\n", "-n", "@@flowform:@@", wf, "cn-shanghai", "a.b", "~", "*", "a=b", "#x"} {
		if out, err := printf("printf %s " + shellWord(v, nil)); err != nil || out != v {
			t.Errorf("sh read %q as %q (%v)", v, out, err)
		}
	}
	v := "'" + node3 + "'" + tricky + node3 + `"` + node3
	out, err := printf("NODE_3='4634978808809541233'; printf %s " + shellWord(v, []string{"NODE_3"}))
	if want := strings.ReplaceAll(v, node3, "4634978808809541233"); err != nil || out != want {
		t.Errorf("sh read the spliced word as %q, want %q (%v)", out, want, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "PWNED")); err == nil {
		t.Error("a value ran a command")
	}
}

// TestScriptPassesArgumentsExactly: under every shell here, each call
// gets exactly its arguments, with the Ids answered before in place of
// the placeholders, and no name or value runs a command.
func TestScriptPassesArgumentsExactly(t *testing.T) {
	script := CLI("cn-shanghai", "7", trickyPlan())
	if !strings.HasPrefix(script, "#!/bin/sh\n") || !strings.Contains(script, "\nset -eu\n") {
		t.Errorf("not a set -eu sh script:\n%s", script)
	}
	if strings.Contains(script, "--version") || strings.Contains(script, "jq") && !strings.Contains(script, "not jq") {
		t.Errorf("the script names --version (the official CLI refuses it) or needs jq:\n%s", script)
	}
	for i, want := range []string{"# 1/6 CreateWorkflowDefinition 日报 $(touch PWNED)\n", "# 2/6 CreateNode a'b\n", "# 6/6 DeleteNode old\n"} {
		if !strings.Contains(script, "\n"+want) {
			t.Errorf("comment %d %q missing", i, want)
		}
	}
	for _, sh := range shells(t) {
		t.Run(sh[0], func(t *testing.T) {
			r := runScript(t, sh, script)
			if r.err != nil {
				t.Fatalf("%v\n%s\n%s", r.err, r.stderr, script)
			}
			if want := trickyArgs(); !slices.EqualFunc(r.calls, want, slices.Equal) {
				for i := range max(len(r.calls), len(want)) {
					var got, exp []string
					if i < len(r.calls) {
						got = r.calls[i]
					}
					if i < len(want) {
						exp = want[i]
					}
					if !slices.Equal(got, exp) {
						t.Errorf("call %d:\n got %q\nwant %q", i+1, got, exp)
					}
				}
			}
			if _, err := os.Stat(filepath.Join(r.dir, "PWNED")); err == nil {
				t.Error("a name or value ran a command")
			}
			if !strings.Contains(r.stdout, `"RequestId": "R6"`) || !strings.HasSuffix(r.stdout, "All calls answered.\n") {
				t.Errorf("the answers are not shown:\n%s", r.stdout)
			}
		})
	}
}

// TestScriptReadsTheId: the Id is read whether the answer sends it as a
// string or a number, pretty-printed as the CLI does or compact.
func TestScriptReadsTheId(t *testing.T) {
	script := CLI("cn-shanghai", "7", trickyPlan()[:3])
	for _, answer := range []string{"string", "number", "compact"} {
		r := runScript(t, []string{"sh"}, script, "KIT_ANSWER="+answer)
		if r.err != nil || len(r.calls) != 3 {
			t.Fatalf("%s: %v, %d calls\n%s", answer, r.err, len(r.calls), r.stderr)
		}
		if got := r.calls[2][7]; got != stubID(1) {
			t.Errorf("%s: ContainerId %q, want %q", answer, got, stubID(1))
		}
		if got := r.calls[2][11]; !strings.Contains(got, `"output":"`+stubID(2)+`"`) {
			t.Errorf("%s: spec %q lacks the node's Id", answer, got)
		}
	}
}

// TestScriptStopsAtTheFirstFailure: a failed call, an answer without the
// Id a later call needs, and Success=false each stop the script with a
// message naming the call, and nothing after it is sent.
func TestScriptStopsAtTheFirstFailure(t *testing.T) {
	script := CLI("cn-shanghai", "7", trickyPlan())
	for _, tt := range []struct {
		env   string
		calls int
		say   string
	}{
		{"KIT_FAIL_AT=2", 2, "ERROR: SDK.ServerError\n2/6 CreateNode a'b: the call failed"},
		{"KIT_ANSWER=none", 1, "1/6 CreateWorkflowDefinition 日报 $(touch PWNED): DataWorks answered without an Id"},
		{"KIT_ANSWER=false", 1, "answered without an Id"},
	} {
		r := runScript(t, []string{"sh"}, script, tt.env)
		if r.err == nil || len(r.calls) != tt.calls || !strings.Contains(r.stderr, tt.say) {
			t.Errorf("%s: %v after %d calls, stderr %q", tt.env, r.err, len(r.calls), r.stderr)
		}
	}
	// Success=false on a call that captures nothing.
	r := runScript(t, []string{"sh"}, CLI("cn-shanghai", "7", trickyPlan()[5:]), "KIT_ANSWER=false")
	if r.err == nil || !strings.Contains(r.stderr, "1/1 DeleteNode old: DataWorks answered Success=false") {
		t.Errorf("Success=false: %v, stderr %q", r.err, r.stderr)
	}
}

func TestScriptWarnsOfTooLongArguments(t *testing.T) {
	long := draft.KitCall{Action: draft.UpdateNode, ID: "1", Spec: strings.Repeat("x", maxArg)}
	if s := CLI("cn-shanghai", "7", []draft.KitCall{long}); !strings.Contains(s, "--Spec-FILE") {
		t.Errorf("no warning for a %d-byte argument", maxArg)
	}
	long.Spec = long.Spec[:maxArg-len("--")]
	if s := CLI("cn-shanghai", "7", []draft.KitCall{long}); strings.Contains(s, "-FILE") {
		t.Error("a warning for an argument Linux passes")
	}
}

// TestGoProgramLiterals: the program parses, is gofmt-clean, and each
// call's literals unquote back to exactly the plan's values, in order.
func TestGoProgramLiterals(t *testing.T) {
	plan := trickyPlan()
	src := Go("cn-shanghai", "dataworks.cn-shanghai.aliyuncs.com", "7", plan)
	if formatted, err := format.Source([]byte(src)); err != nil || string(formatted) != src {
		t.Fatalf("not gofmt-clean (%v):\n%s", err, src)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	unquote := func(e ast.Expr) string {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			t.Fatalf("not a string literal: %#v", e)
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	consts := map[string]string{}
	var calls [][]string // step, action, captures, then key, value…
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			if len(n.Values) == 1 {
				if lit, ok := n.Values[0].(*ast.BasicLit); ok {
					consts[n.Names[0].Name] = unquote(lit)
				}
			}
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "call" && len(n.Args) == 4 {
				c := []string{unquote(n.Args[0]), unquote(n.Args[1]), unquote(n.Args[2])}
				for _, e := range n.Args[3].(*ast.CompositeLit).Elts {
					kv := e.(*ast.KeyValueExpr)
					c = append(c, unquote(kv.Key), unquote(kv.Value))
				}
				calls = append(calls, c)
			}
		}
		return true
	})
	if consts["region"] != "cn-shanghai" || consts["domain"] != "dataworks.cn-shanghai.aliyuncs.com" || consts["projectID"] != "7" {
		t.Errorf("constants %q", consts)
	}
	want := [][]string{
		{"1/6 CreateWorkflowDefinition 日报 $(touch PWNED)", "CreateWorkflowDefinition", "WORKFLOW_ID", "Spec", `{"name":"` + tricky + `"}`},
		{"2/6 CreateNode a'b", "CreateNode", "NODE_2", "ContainerId", wf, "Scene", "DATAWORKS_PROJECT", "Spec", plan[1].Spec},
		{"3/6 CreateNode c", "CreateNode", "NODE_3", "ContainerId", wf, "Scene", "DATAWORKS_PROJECT", "Spec", plan[2].Spec},
		{"4/6 UpdateNode c", "UpdateNode", "", "Id", node3, "Spec", tricky},
		{"5/6 UpdateWorkflowDefinition w", "UpdateWorkflowDefinition", "", "Id", wf, "Spec", "{}"},
		{"6/6 DeleteNode old", "DeleteNode", "", "Id", "4634978808809541299"},
	}
	if !slices.EqualFunc(calls, want, slices.Equal) {
		t.Errorf("calls\n%q\nwant\n%q", calls, want)
	}
	for _, s := range []string{`req.Method = requests.POST`, `req.Version = "2024-05-18"`, `req.FormParams[k] =`, `json.RawMessage`,
		`sdk.NewClientWithOptions(region, sdk.NewConfig().WithScheme(requests.HTTPS), nil)`, `os.Getenv("DATAWORKS_ENDPOINT")`,
		`func placeholder(name string) string { return "@@flowform:" + name + "@@" }`} {
		if !strings.Contains(src, s) {
			t.Errorf("program lacks %s", s)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && (id.Name == "float64" || id.Name == "any" || id.Name == "QueryParams") {
			t.Errorf("the program uses %s: an Id through a float64, or a write's parameters in the URL", id.Name)
		}
		return true
	})
}

// TestPiecesSplitAsTheReplacerReplaces: the script splices variables
// where the program's strings.NewReplacer puts Ids, even where
// placeholders overlap or name no earlier call.
func TestPiecesSplitAsTheReplacerReplaces(t *testing.T) {
	ids := map[string]string{"A": "1", "B": "22", "WORKFLOW_ID": "333"}
	known := []string{"A", "B", "WORKFLOW_ID"}
	var swap []string
	for _, n := range known {
		swap = append(swap, draft.Placeholder(n), ids[n])
	}
	r := strings.NewReplacer(swap...)
	for _, v := range []string{
		"", "x", draft.Placeholder("A"), "@@flowform:A@@flowform:B@@", "@@flowform:@@flowform:A@@", "@@flowform:A@",
		draft.Placeholder("C") + draft.Placeholder("B") + draft.Placeholder("A") + "tail", "@@@flowform:WORKFLOW_ID@@@",
	} {
		var b strings.Builder
		for _, p := range pieces(v, known) {
			if p.name != "" {
				b.WriteString(ids[p.name])
			} else {
				b.WriteString(p.text)
			}
		}
		if got, want := b.String(), r.Replace(v); got != want {
			t.Errorf("%q: pieces give %q, the replacer %q", v, got, want)
		}
	}
}
