package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/dataworks/dataworkstest"
)

// TestCrashMidDeliveryIsSettledAndResumed: the real program is killed
// (SIGKILL) while node 2 of a 3-node delivery is in flight — DataWorks
// carries it out anyway. After a restart on the same database the
// delivery is settled by looking in DataWorks (node 2 found and adopted),
// and resuming it finishes the plan with no duplicate and no step sent
// twice.
func TestCrashMidDeliveryIsSettledAndResumed(t *testing.T) {
	fake, err := dataworkstest.New("LTAI5tCrashTestKey", "crash-test-secret-0123456789", "")
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	fake.Fault("CreateNode", 2, dataworkstest.Behavior{Sleep: 3 * time.Second})
	dir := t.TempDir()
	env := append(os.Environ(), "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI5tCrashTestKey", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=crash-test-secret-0123456789",
		"ALIBABA_CLOUD_ECS_METADATA_DISABLED=true", "ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true", "HTTP_PROXY=", "HTTPS_PROXY=", "http_proxy=", "https_proxy=")
	args := "--addr 127.0.0.1:0 --db " + filepath.Join(dir, "f.db") + " --dataworks-endpoint " + fake.URL
	cmd, base, stderr := startProgram(t, dir, env, args)

	res, err := http.Post(base+"api/v1/drafts", "application/json", strings.NewReader(`{"projectId":"123456","template":"daily-pipeline","name":"crash"}`))
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ ID string }
	json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	go func() { // the reply never comes: the program is killed first
		req, _ := http.NewRequest("POST", base+"api/v1/drafts/"+created.ID+"/submit", nil)
		req.Header.Set("If-Match", `"1"`)
		req.Header.Set("Content-Type", "application/json")
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for fake.Pending() == 0 || fake.Count("CreateNode") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("node 2 never reached DataWorks:\n%s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	for fake.Pending() > 0 { // DataWorks finishes the call it was given
		time.Sleep(10 * time.Millisecond)
	}

	_, base, stderr = startProgram(t, dir, env, args)
	get := func(path string, out any) int {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		json.Unmarshal(body, out)
		return res.StatusCode
	}
	type step struct{ Action, Name, State, ID string }
	var sub struct {
		Submission struct {
			ID        int64
			State     string
			Resumable bool
			Steps     []step
		}
	}
	for deadline := time.Now().Add(10 * time.Second); sub.Submission.State != "partial"; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the restart did not settle the delivery: %+v\n%s", sub, stderr.String())
		}
		get("api/v1/drafts/"+created.ID+"/submissions/1", &sub)
	}
	steps := sub.Submission.Steps
	if len(steps) != 4 || steps[1].State != "succeeded" || steps[2].State != "adopted" || steps[3].State != "planned" || !sub.Submission.Resumable {
		t.Fatalf("settled after the crash: %+v", sub.Submission)
	}
	req, _ := http.NewRequest("POST", base+fmt.Sprintf("api/v1/drafts/%s/submissions/1/resume", created.ID), nil)
	req.Header.Set("Content-Type", "application/json")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(res.Body).Decode(&sub)
	res.Body.Close()
	if res.StatusCode != 200 || sub.Submission.State != "succeeded" {
		t.Fatalf("resume: %d %+v", res.StatusCode, sub)
	}
	if n := fake.Count("CreateNode"); n != 3 || fake.Count("CreateWorkflowDefinition") != 1 {
		t.Fatalf("%d CreateNode and %d CreateWorkflowDefinition calls: a step was sent twice", n, fake.Count("CreateWorkflowDefinition"))
	}
	nodes := fake.Nodes(steps[0].ID)
	if len(nodes) != 3 || !strings.Contains(nodes[2].Depends, nodes[1].ID) || !strings.Contains(nodes[1].Depends, nodes[0].ID) {
		t.Fatalf("DataWorks holds %+v", nodes)
	}
	if !strings.Contains(stderr.String(), "settled by looking in DataWorks") {
		t.Errorf("the restart does not log the settling:\n%s", stderr.String())
	}
}
