package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/i18n"
)

// stepSending is st as draft's execution records it before the call.
func stepSending(st draft.Step, started time.Time) draft.Step {
	st.State, st.StartedAt = draft.StepSending, started
	st.Spec = append(slices.Clip(st.Spec), []byte(" as sent")...)
	st.Tries++
	return st
}

// stepDone is st sent and answered, with the Id DataWorks gave.
func stepDone(st draft.Step, id string, finished time.Time) draft.Step {
	st = stepSending(st, finished.Add(-time.Second))
	st.State, st.TargetID, st.FinishedAt = draft.StepDone, id, finished
	st.RequestID, st.HTTPStatus, st.Tries = "req-"+id, 200, st.Tries+1
	st.Note = i18n.Text{EN: "verified " + id, ZH: "已核实 " + id}
	return st
}

// testSteps: a pending submission's steps are recorded as they are sent
// and answered, and more can be added; a finished submission's are never
// rewritten.
func testSteps(t *testing.T, open func(t *testing.T) draft.Store) {
	ctx := context.Background()

	t.Run("Lifecycle", func(t *testing.T) {
		s := open(t)
		rec := create(t, s, "a")
		sub := submit(t, s, rec, 0)
		want := slices.Clone(sub.Steps)

		want[0] = stepSending(want[0], at(time.Minute))
		noErr(t, "StartStep", s.StartStep(ctx, sub.ID, want[0]))
		if err := sameSteps(read(t, s, rec.Key, sub.ID).Steps, want); err != nil {
			t.Errorf("after StartStep: %v", err)
		}
		want[0] = stepDone(sub.Steps[0], "wf-1", at(2*time.Minute))
		noErr(t, "FinishStep", s.FinishStep(ctx, rec.Key, sub.ID, want[0], draft.DeliveryChange{}))
		failed := stepSending(want[1], at(3*time.Minute))
		failed.State, failed.FinishedAt = draft.StepFailed, at(4*time.Minute)
		failed.HTTPStatus, failed.ErrorCode, failed.Error = 400, "Invalid.Node", "bad node (redacted)"
		want[1] = failed
		noErr(t, "FinishStep", s.FinishStep(ctx, rec.Key, sub.ID, want[1], draft.DeliveryChange{}))
		repair := draft.Step{Seq: len(want) + 1, Action: draft.UpdateNode, Node: "n1", Name: "node 1", Repair: true, TargetID: "7001",
			Spec: []byte(`{"repair":true}`), State: draft.StepPlanned}
		noErr(t, "AddStep", s.AddStep(ctx, sub.ID, repair))
		want = append(want, repair)
		got := read(t, s, rec.Key, sub.ID)
		if err := sameSteps(got.Steps, want); err != nil {
			t.Errorf("after FinishStep and AddStep: %v", err)
		}
		if got.State != draft.Pending {
			t.Errorf("steps changed the submission's state to %q", got.State)
		}
	})

	t.Run("FinishedSubmission", func(t *testing.T) {
		s := open(t)
		rec := create(t, s, "a")
		sub := submit(t, s, rec, 0)
		finish(t, s, sub, draft.Failed)
		if err := s.StartStep(ctx, sub.ID, stepSending(sub.Steps[1], at(time.Hour))); err == nil {
			t.Error("StartStep of a failed submission's step succeeded")
		}
		change := draft.DeliveryChange{Workflow: &draft.Delivery{ProjectID: rec.ProjectID, Region: rec.Region, WorkflowID: "wf-late"},
			Node: &draft.DeliveredNode{Local: "n1", ID: "7001", Name: "node 1", Sent: []byte(`{}`)}}
		if err := s.FinishStep(ctx, rec.Key, sub.ID, stepDone(sub.Steps[0], "wf-late", at(time.Hour)), change); err == nil {
			t.Error("FinishStep of a failed submission's step succeeded")
		}
		if err := sameSteps(read(t, s, rec.Key, sub.ID).Steps, sub.Steps); err != nil {
			t.Errorf("a finished submission's steps were rewritten: %v", err)
		}
		// The change goes with the step: refused together.
		if dl, err := s.Delivery(ctx, rec.Key); err != nil || dl.WorkflowID != "" || len(dl.Nodes) != 0 {
			t.Errorf("a refused FinishStep still changed the delivery: %+v, %v", dl, err)
		}
	})
}

// sortedNodes returns nodes ordered by their draft id; the store keeps no
// order among them.
func sortedNodes(nodes []draft.DeliveredNode) []draft.DeliveredNode {
	nodes = slices.Clone(nodes)
	slices.SortFunc(nodes, func(a, b draft.DeliveredNode) int { return strings.Compare(a.Local, b.Local) })
	return nodes
}

// sameDelivery compares deliveries, nodes in any order.
func sameDelivery(got, want draft.Delivery) error {
	g, w := sortedNodes(got.Nodes), sortedNodes(want.Nodes)
	ok := got.ProjectID == want.ProjectID && got.Region == want.Region && got.WorkflowID == want.WorkflowID &&
		bytes.Equal(got.Live, want.Live) && len(g) == len(w)
	for i := 0; ok && i < len(w); i++ {
		ok = g[i].Local == w[i].Local && g[i].ID == w[i].ID && g[i].Name == w[i].Name && bytes.Equal(g[i].Sent, w[i].Sent)
	}
	if !ok {
		return fmt.Errorf("delivery differs:\n got %s\nwant %s", showDelivery(got), showDelivery(want))
	}
	return nil
}

func showDelivery(dl draft.Delivery) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{project %q region %q workflow %q live %q nodes", dl.ProjectID, dl.Region, dl.WorkflowID, dl.Live)
	for _, n := range sortedNodes(dl.Nodes) {
		fmt.Fprintf(&b, " [%s→%s %q %q]", n.Local, n.ID, n.Name, n.Sent)
	}
	return b.String() + "}"
}

// delivery reads a draft's delivery.
func delivery(t *testing.T, s draft.Store, key string) draft.Delivery {
	t.Helper()
	dl, err := s.Delivery(context.Background(), key)
	if err != nil {
		t.Fatalf("Delivery: %v", err)
	}
	return dl
}

// testDelivery: what a draft holds in DataWorks, as recorded on Create
// (an opened workflow), by the steps that change it, and by a succeeded
// submission's read-back; and which workflows other drafts hold.
func testDelivery(t *testing.T, open func(t *testing.T) draft.Store) {
	ctx := context.Background()

	t.Run("ZeroBeforeAnything", func(t *testing.T) {
		s := open(t)
		rec := create(t, s, "a")
		if err := sameDelivery(delivery(t, s, rec.Key), draft.Delivery{}); err != nil {
			t.Error(err)
		}
		// A submission that has not finished a step holds nothing yet.
		submit(t, s, rec, 0)
		if err := sameDelivery(delivery(t, s, rec.Key), draft.Delivery{}); err != nil {
			t.Errorf("after CreateSubmission: %v", err)
		}
	})

	t.Run("OpenedOnCreate", func(t *testing.T) {
		s := open(t)
		rec := newRecord("opened")
		want := draft.Delivery{ProjectID: rec.ProjectID, Region: rec.Region, WorkflowID: "wf-opened", Live: rec.Spec,
			Nodes: []draft.DeliveredNode{
				{Local: "n2", ID: "n2", Name: "second", Sent: []byte(`{"n":2}`)},
				{Local: "n1", ID: "n1", Name: "first", Sent: []byte(`{"n":1}`)},
			}}
		rec.Delivery = &want
		noErr(t, "Create", s.Create(ctx, rec))
		if err := sameDelivery(delivery(t, s, rec.Key), want); err != nil {
			t.Error(err)
		}
		other := create(t, s, "other")
		if err := sameDelivery(delivery(t, s, other.Key), draft.Delivery{}); err != nil {
			t.Errorf("another draft: %v", err)
		}
	})

	t.Run("FinishStepChanges", func(t *testing.T) {
		s := open(t)
		rec := create(t, s, "a")
		sub := submit(t, s, rec, 0)
		wf := func(id string) *draft.Delivery {
			return &draft.Delivery{ProjectID: rec.ProjectID, Region: rec.Region, WorkflowID: id}
		}
		node := func(local, id, sent string) *draft.DeliveredNode {
			return &draft.DeliveredNode{Local: local, ID: id, Name: "node " + local, Sent: []byte(sent)}
		}
		steps := []struct {
			name   string
			change draft.DeliveryChange
			want   draft.Delivery
		}{
			{"workflow recorded", draft.DeliveryChange{Workflow: wf("wf-1")}, *wf("wf-1")},
			{"node recorded", draft.DeliveryChange{Node: node("n1", "7001", `{"v":1}`)},
				draft.Delivery{ProjectID: "123", Region: "cn-shanghai", WorkflowID: "wf-1", Nodes: []draft.DeliveredNode{*node("n1", "7001", `{"v":1}`)}}},
			{"second node", draft.DeliveryChange{Node: node("n2", "7002", `{"v":1}`)},
				draft.Delivery{ProjectID: "123", Region: "cn-shanghai", WorkflowID: "wf-1", Nodes: []draft.DeliveredNode{*node("n1", "7001", `{"v":1}`), *node("n2", "7002", `{"v":1}`)}}},
			{"node replaced", draft.DeliveryChange{Node: node("n1", "7003", `{"v":2}`)},
				draft.Delivery{ProjectID: "123", Region: "cn-shanghai", WorkflowID: "wf-1", Nodes: []draft.DeliveredNode{*node("n1", "7003", `{"v":2}`), *node("n2", "7002", `{"v":1}`)}}},
			{"no change", draft.DeliveryChange{},
				draft.Delivery{ProjectID: "123", Region: "cn-shanghai", WorkflowID: "wf-1", Nodes: []draft.DeliveredNode{*node("n1", "7003", `{"v":2}`), *node("n2", "7002", `{"v":1}`)}}},
			{"same workflow keeps the nodes", draft.DeliveryChange{Workflow: wf("wf-1")},
				draft.Delivery{ProjectID: "123", Region: "cn-shanghai", WorkflowID: "wf-1", Nodes: []draft.DeliveredNode{*node("n1", "7003", `{"v":2}`), *node("n2", "7002", `{"v":1}`)}}},
			{"node forgotten", draft.DeliveryChange{Forget: "n1"},
				draft.Delivery{ProjectID: "123", Region: "cn-shanghai", WorkflowID: "wf-1", Nodes: []draft.DeliveredNode{*node("n2", "7002", `{"v":1}`)}}},
			{"unknown node forgotten", draft.DeliveryChange{Forget: "n9"},
				draft.Delivery{ProjectID: "123", Region: "cn-shanghai", WorkflowID: "wf-1", Nodes: []draft.DeliveredNode{*node("n2", "7002", `{"v":1}`)}}},
			{"another workflow forgets the nodes", draft.DeliveryChange{Workflow: wf("wf-2")}, *wf("wf-2")},
			{"workflow and node together", draft.DeliveryChange{Workflow: wf("wf-3"), Node: node("n3", "7004", `{}`)},
				draft.Delivery{ProjectID: "123", Region: "cn-shanghai", WorkflowID: "wf-3", Nodes: []draft.DeliveredNode{*node("n3", "7004", `{}`)}}},
		}
		for i, c := range steps {
			st := stepDone(sub.Steps[i%len(sub.Steps)], fmt.Sprint(i), at(time.Duration(i)*time.Minute))
			if err := s.FinishStep(ctx, rec.Key, sub.ID, st, c.change); err != nil {
				t.Fatalf("%s: FinishStep: %v", c.name, err)
			}
			if err := sameDelivery(delivery(t, s, rec.Key), c.want); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
	})

	t.Run("LiveOnSuccess", func(t *testing.T) {
		s := open(t)
		rec := create(t, s, "a")
		sub := submit(t, s, rec, 0)
		noErr(t, "FinishStep", s.FinishStep(ctx, rec.Key, sub.ID, stepDone(sub.Steps[0], "wf-1", at(time.Minute)),
			draft.DeliveryChange{Workflow: &draft.Delivery{ProjectID: rec.ProjectID, Region: rec.Region, WorkflowID: "wf-1"}}))
		sub.Live = []byte(`{"read":"back"}`)
		finish(t, s, sub, draft.Succeeded)
		want := draft.Delivery{ProjectID: rec.ProjectID, Region: rec.Region, WorkflowID: "wf-1", Live: sub.Live}
		if err := sameDelivery(delivery(t, s, rec.Key), want); err != nil {
			t.Errorf("after a succeeded submission: %v", err)
		}
		// A failed one leaves what DataWorks last showed.
		failed := submit(t, s, rec, sub.ID)
		failed.Live = []byte(`{"not":"kept"}`)
		finish(t, s, failed, draft.Failed)
		if err := sameDelivery(delivery(t, s, rec.Key), want); err != nil {
			t.Errorf("after a failed submission: %v", err)
		}
		// A success whose read-back failed forgets the stale one.
		blind := submit(t, s, rec, failed.ID)
		finish(t, s, blind, draft.Succeeded)
		want.Live = nil
		if err := sameDelivery(delivery(t, s, rec.Key), want); err != nil {
			t.Errorf("after a succeeded submission not read back: %v", err)
		}
	})

	t.Run("Claimed", func(t *testing.T) {
		s := open(t)
		holder := newRecord("holder")
		holder.Delivery = &draft.Delivery{ProjectID: holder.ProjectID, Region: holder.Region, WorkflowID: "wf-opened"}
		noErr(t, "Create", s.Create(ctx, holder))
		sub := submit(t, s, holder, 0)
		noErr(t, "FinishStep", s.FinishStep(ctx, holder.Key, sub.ID, stepDone(sub.Steps[0], "wf-made", at(time.Minute)),
			draft.DeliveryChange{Workflow: &draft.Delivery{ProjectID: holder.ProjectID, Region: holder.Region, WorkflowID: "wf-made"}}))
		other := create(t, s, "other")
		cases := []struct {
			name string
			key  string
			want map[string]bool
		}{
			{"another draft", other.Key, map[string]bool{"wf-made": true, "wf-opened": false, "wf-free": false}},
			{"the holder itself", holder.Key, map[string]bool{"wf-made": false, "wf-free": false}},
		}
		for _, c := range cases {
			var asked []string
			for id := range c.want {
				asked = append(asked, id)
			}
			got, err := s.Claimed(ctx, c.key, asked)
			noErr(t, "Claimed", err)
			for id, want := range c.want {
				if got[id] != want {
					t.Errorf("%s: Claimed[%s] = %v, want %v", c.name, id, got[id], want)
				}
			}
		}
	})
}
