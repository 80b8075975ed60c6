package dataworks

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/flowform/flowform/internal/draft"
)

// sandboxWorkflows lists the ids of the sandbox project's workflows, both
// kinds.
func sandboxWorkflows(t *testing.T, c *Client) []string {
	t.Helper()
	var ids []string
	for _, manual := range []bool{false, true} {
		page, err := c.Workflows(context.Background(), draft.WorkflowQuery{Region: "cn-shanghai",
			ProjectID: strconv.FormatInt(SandboxProjectID, 10), Manual: manual, Page: 1, PageSize: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range page.Workflows {
			ids = append(ids, w.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// TestSandboxPersists: a sandbox restarted on the same state file holds
// what it held — the demo workflows seeded once, not again, and a
// delivered workflow that can still be updated — under the same ids.
func TestSandboxPersists(t *testing.T) {
	t.Setenv("HTTP_PROXY", "")
	t.Setenv("http_proxy", "")
	file := SandboxStateFile(filepath.Join(t.TempDir(), "flowform.db"))
	c, closeFake, err := NewSandbox(Config{}, file)
	if err != nil {
		t.Fatal(err)
	}
	demos := sandboxWorkflows(t, c)
	delivered := c.Submit(context.Background(), create())
	closeFake()
	if len(demos) != 3 || delivered.State != draft.Succeeded {
		t.Fatalf("first start: demos %v, delivery %+v", demos, delivered)
	}

	c, closeFake, err = NewSandbox(Config{}, file)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFake()
	if again := sandboxWorkflows(t, c); !slices.Equal(again, demos) {
		t.Errorf("after a restart the sandbox project holds %v, before %v", again, demos)
	}
	update := create()
	update.Action, update.ID = draft.UpdateWorkflow, delivered.ID
	if res := c.Submit(context.Background(), update); res.State != draft.Succeeded {
		t.Errorf("updating the workflow delivered before the restart: %+v", res)
	}
	if res := c.Submit(context.Background(), create()); res.State != draft.Succeeded || res.ID == delivered.ID || slices.Contains(demos, res.ID) {
		t.Errorf("a new workflow after the restart got id %s (delivered %s, demos %v)", res.ID, delivered.ID, demos)
	}
}
