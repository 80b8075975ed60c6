package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/dataworks/dataworkstest"
	"github.com/flowform/flowform/internal/postgres/pgtest"
)

// instance is one FlowForm process on the shared PostgreSQL.
type instance struct {
	base string
	kill func()
}

// api calls an instance's JSON API and decodes the reply into out.
func api(t *testing.T, method, url, body string, header map[string]string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0 // not a URL: as good as an instance that does not answer
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0 // the instance was killed
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if out != nil {
		json.Unmarshal(data, out)
	}
	return res.StatusCode
}

type savedDraft struct {
	ID      string
	Version int64
	Spec    json.RawMessage
}

// TestTwoInstancesOnOnePostgres runs two real FlowForm processes on one
// throwaway PostgreSQL: concurrent saves through both are refused (412)
// or kept whole, never overwritten; concurrent submits through both make
// one DataWorks call; killing one instance mid-storm loses no
// acknowledged save, the other keeps serving, and only the killed
// instance's delivery is settled once its lease runs out.
func TestTwoInstancesOnOnePostgres(t *testing.T) {
	db := pgtest.Start(t)
	fake, err := dataworkstest.New("LTAI5tTwoInstances", "two-instances-secret-0123456789", "")
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	env := append(os.Environ(), "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI5tTwoInstances", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=two-instances-secret-0123456789",
		"ALIBABA_CLOUD_ECS_METADATA_DISABLED=true", "ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true", "HTTP_PROXY=", "HTTPS_PROXY=", "http_proxy=", "https_proxy=")
	args := "--addr 127.0.0.1:0 --db " + db + " --dataworks-endpoint " + fake.URL
	start := func() *instance {
		cmd, base, _ := startProgram(t, t.TempDir(), env, args)
		return &instance{base: base, kill: func() { cmd.Process.Signal(syscall.SIGKILL); cmd.Wait() }}
	}
	a, b := start(), start()
	both := []*instance{a, b}

	var d savedDraft
	if status := api(t, "POST", a.base+"api/v1/drafts", `{"projectId":"123456","template":"daily-pipeline","name":"shared"}`, nil, &d); status != 201 {
		t.Fatalf("create: %d", status)
	}

	// 32 writers on one draft, half through each instance.
	var mu sync.Mutex
	sent := map[int64]string{} // version → the spec its writer was answered with
	var ok, refused, other atomic.Int64
	var wg sync.WaitGroup
	for w := range 32 {
		wg.Go(func() {
			in := both[w%2]
			for i := range 5 {
				var cur savedDraft
				api(t, "GET", in.base+"api/v1/drafts/"+d.ID, "", nil, &cur)
				body := strings.Replace(string(cur.Spec), `"name":"shared"`, fmt.Sprintf(`"name":"shared","description":"writer %d save %d"`, w, i), 1)
				var saved savedDraft
				switch api(t, "PUT", in.base+"api/v1/drafts/"+d.ID, `{"spec":`+body+`}`, map[string]string{"If-Match": fmt.Sprintf(`"%d"`, cur.Version)}, &saved) {
				case 200:
					ok.Add(1)
					mu.Lock()
					sent[saved.Version] = string(saved.Spec)
					mu.Unlock()
				case 412:
					refused.Add(1)
				default:
					other.Add(1)
				}
			}
		})
	}
	wg.Wait()
	var final savedDraft
	api(t, "GET", b.base+"api/v1/drafts/"+d.ID, "", nil, &final)
	if other.Load() != 0 || final.Version != 1+ok.Load() || int64(len(sent)) != ok.Load() {
		t.Fatalf("32 writers: %d saved, %d refused, %d other; final version %d", ok.Load(), refused.Load(), other.Load(), final.Version)
	}
	for v, spec := range sent {
		var rev struct{ Spec json.RawMessage }
		api(t, "GET", fmt.Sprintf("%sapi/v1/drafts/%s/revisions/%d", a.base, d.ID, v), "", nil, &rev)
		if string(rev.Spec) != spec {
			t.Fatalf("revision %d differs from what its writer was answered", v)
		}
	}
	t.Logf("32 writers over two instances: %d saved, %d refused (412)", ok.Load(), refused.Load())

	// 20 submits of the draft, half through each instance: one delivery.
	fake.Fault("CreateWorkflowDefinition", 1, dataworkstest.Behavior{Sleep: 300 * time.Millisecond})
	var statuses sync.Map
	for i := range 20 {
		wg.Go(func() {
			status := api(t, "POST", both[i%2].base+"api/v1/drafts/"+d.ID+"/submit", "", map[string]string{"If-Match": fmt.Sprintf(`"%d"`, final.Version)}, nil)
			n, _ := statuses.LoadOrStore(status, new(atomic.Int64))
			n.(*atomic.Int64).Add(1)
		})
	}
	wg.Wait()
	count := func(status int) int64 {
		n, ok := statuses.Load(status)
		if !ok {
			return 0
		}
		return n.(*atomic.Int64).Load()
	}
	if fake.Count("CreateWorkflowDefinition") != 1 || count(200) != 1 || count(409) != 19 {
		t.Fatalf("20 submits over two instances: %d CreateWorkflowDefinition calls, %d × 200, %d × 409", fake.Count("CreateWorkflowDefinition"), count(200), count(409))
	}

	// A delivery in flight on each instance, then a save storm, and A is
	// killed in the middle of it.
	other2 := savedDraft{}
	api(t, "POST", b.base+"api/v1/drafts", `{"projectId":"123456","template":"daily-pipeline","name":"on_b"}`, nil, &other2)
	onA := savedDraft{}
	api(t, "POST", a.base+"api/v1/drafts", `{"projectId":"123456","template":"daily-pipeline","name":"on_a"}`, nil, &onA)
	creates := fake.Count("CreateWorkflowDefinition")
	fake.Fault("CreateWorkflowDefinition", creates+1, dataworkstest.Behavior{Sleep: 4 * time.Second}) // on_a's, killed with A
	go api(t, "POST", a.base+"api/v1/drafts/"+onA.ID+"/submit", "", map[string]string{"If-Match": `"1"`}, nil)
	for fake.Count("CreateWorkflowDefinition") < creates+1 {
		time.Sleep(5 * time.Millisecond)
	}
	fake.Fault("CreateWorkflowDefinition", creates+2, dataworkstest.Behavior{Sleep: 2 * time.Second}) // on_b's, B stays alive
	bDone := make(chan int, 1)
	go func() {
		bDone <- api(t, "POST", b.base+"api/v1/drafts/"+other2.ID+"/submit", "", map[string]string{"If-Match": `"1"`}, nil)
	}()

	var acked sync.Map // "draft/version" → spec answered
	stop := make(chan struct{})
	var storm sync.WaitGroup
	for w := range 8 {
		storm.Go(func() {
			in := both[w%2]
			var mine savedDraft
			if api(t, "POST", in.base+"api/v1/drafts", `{"template":"hourly","name":"storm"}`, nil, &mine) != 201 {
				return
			}
			version := mine.Version
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := strings.Replace(string(mine.Spec), `"name":"storm"`, fmt.Sprintf(`"name":"storm","description":"%d"`, i), 1)
				var saved savedDraft
				if api(t, "PUT", in.base+"api/v1/drafts/"+mine.ID, `{"spec":`+body+`}`, map[string]string{"If-Match": fmt.Sprintf(`"%d"`, version)}, &saved) == 200 {
					acked.Store(fmt.Sprintf("%s/%d", mine.ID, saved.Version), string(saved.Spec))
					version = saved.Version
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	a.kill()
	time.Sleep(300 * time.Millisecond)
	close(stop)
	storm.Wait()
	var lost int
	acked.Range(func(k, v any) bool {
		id, version, _ := strings.Cut(k.(string), "/")
		var rev struct{ Spec json.RawMessage }
		if api(t, "GET", b.base+"api/v1/drafts/"+id+"/revisions/"+version, "", nil, &rev) != 200 || string(rev.Spec) != v.(string) {
			lost++
		}
		return true
	})
	if lost > 0 {
		t.Fatalf("%d acknowledged saves were lost when an instance was killed", lost)
	}
	if status := api(t, "GET", b.base+"healthz", "", nil, nil); status != 200 {
		t.Fatalf("the other instance stopped serving: %d", status)
	}
	if status := <-bDone; status != 200 {
		t.Fatalf("the live instance's delivery: %d", status)
	}

	// Only the killed instance's delivery is settled, once its lease ran out.
	a = start()
	var sub struct {
		Submission struct {
			State string
			Steps []struct{ State string }
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for sub.Submission.State == "pending" || sub.Submission.State == "" {
		if time.Now().After(deadline) {
			t.Fatalf("the killed instance's delivery was not settled: %+v", sub)
		}
		time.Sleep(200 * time.Millisecond)
		var list struct{ Submissions []struct{ ID int64 } }
		api(t, "GET", a.base+"api/v1/drafts/"+onA.ID+"/submissions", "", nil, &list)
		if len(list.Submissions) > 0 {
			api(t, "GET", fmt.Sprintf("%sapi/v1/drafts/%s/submissions/%d", a.base, onA.ID, list.Submissions[0].ID), "", nil, &sub)
		}
	}
	if sub.Submission.State != "partial" || sub.Submission.Steps[0].State != "adopted" {
		t.Fatalf("the killed instance's delivery: %+v", sub.Submission)
	}
	var onB struct{ Submissions []struct{ State string } }
	api(t, "GET", b.base+"api/v1/drafts/"+other2.ID+"/submissions", "", nil, &onB)
	if len(onB.Submissions) != 1 || onB.Submissions[0].State != "succeeded" {
		t.Fatalf("the live instance's delivery was touched: %+v", onB)
	}
}

// BenchmarkTwoInstancesOnPostgres measures what issue 13 budgets, on two
// real FlowForm processes sharing one throwaway PostgreSQL, with a plain
// net/http handler measured in the same run: saves of a 4 KB spec (each a
// new revision) from 16 clients spread over both instances — saves/s and
// p99 (budget ≥ 1,500/s, p99 ≤ 50 ms) — and draft GET from 16 clients as a
// ratio of the plain handler (budget ≥ 0.20×). Each phase runs 5 s.
func BenchmarkTwoInstancesOnPostgres(b *testing.B) {
	db := pgtest.Start(b)
	env := append(os.Environ(), "HTTP_PROXY=", "HTTPS_PROXY=")
	var bases []string
	for range 2 {
		_, base, _ := startProgram(b, b.TempDir(), env, "--addr 127.0.0.1:0 --sandbox on --db "+db)
		bases = append(bases, base)
	}
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok"}`)
	}))
	defer plain.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	// The 2.5 KB pipeline template and a 1,000-character description, each
	// save in a new revision: about 4 KB saved each time.
	description := strings.Repeat("Loads yesterday's orders into the warehouse. ", 22)
	const clients = 16
	drafts := make([]savedDraft, clients)
	for i := range drafts {
		body := fmt.Sprintf(`{"projectId":"123456","template":"daily-pipeline","name":"bench_%02d"}`, i)
		req, _ := http.NewRequest("POST", bases[i%2]+"api/v1/drafts", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		json.NewDecoder(res.Body).Decode(&drafts[i])
		res.Body.Close()
	}
	run := func(do func(client, i int) bool) (perSecond float64, p99 time.Duration) {
		var mu sync.Mutex
		var took []time.Duration
		end := time.Now().Add(5 * time.Second)
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				var mine []time.Duration
				for i := 0; time.Now().Before(end); i++ {
					began := time.Now()
					if do(c, i) {
						mine = append(mine, time.Since(began))
					}
				}
				mu.Lock()
				took = append(took, mine...)
				mu.Unlock()
			})
		}
		wg.Wait()
		slices.Sort(took)
		if len(took) == 0 {
			b.Fatal("no request succeeded")
		}
		return float64(len(took)) / 5, took[len(took)*99/100]
	}
	versions := make([]int64, clients)
	for i, d := range drafts {
		versions[i] = d.Version
	}
	saves, savesP99 := run(func(c, i int) bool {
		d := drafts[c]
		spec := strings.Replace(string(d.Spec), `"name":"bench_`, fmt.Sprintf(`"description":"%s %d","name":"bench_`, description, i), 1)
		req, _ := http.NewRequest("PUT", bases[c%2]+"api/v1/drafts/"+d.ID, strings.NewReader(`{"spec":`+spec+`}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("If-Match", fmt.Sprintf(`"%d"`, versions[c]))
		res, err := client.Do(req)
		if err != nil {
			return false
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Errorf("save: %d", res.StatusCode)
			return false
		}
		versions[c]++
		return true
	})
	get := func(url func(c int) string) func(c, i int) bool {
		return func(c, i int) bool {
			res, err := client.Get(url(c))
			if err != nil {
				return false
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			return res.StatusCode == 200
		}
	}
	gets, _ := run(get(func(c int) string { return bases[c%2] + "api/v1/drafts/" + drafts[c].ID }))
	plainRate, _ := run(get(func(int) string { return plain.URL }))
	b.ReportMetric(saves, "saves/s")
	b.ReportMetric(float64(savesP99.Microseconds())/1000, "save-p99-ms")
	b.ReportMetric(gets/plainRate, "draft-get-vs-plain")
	b.Logf("saves %.0f/s p99 %v; draft GET %.0f/s, plain %.0f/s (%.3f×)", saves, savesP99, gets, plainRate, gets/plainRate)
}
