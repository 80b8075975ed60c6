package draft

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// Plan says what submitting the draft now would do. For an update it
// reads the workflow DataWorks holds (opts.DeleteRemoved decides whether
// removed nodes are deleted in the plan shown).
func (s *Service) Plan(ctx context.Context, token string, opts SubmitOptions) (*Draft, SubmitPlan, error) {
	d, err := s.Get(ctx, token)
	if err != nil {
		return nil, SubmitPlan{}, err
	}
	k := key(token)
	subs, err := s.store.LatestSubmissions(ctx, k)
	if err != nil {
		return nil, SubmitPlan{}, err
	}
	dl, err := s.store.Delivery(ctx, k)
	if err != nil {
		return nil, SubmitPlan{}, err
	}
	p := plan(d, subs, dl, opts, s.now())
	if p.Operation == OpUpdate && s.submitter != nil {
		p.Live = s.live(ctx, dl, p.Steps)
	}
	return d, p, nil
}

func plan(d *Draft, subs []Submission, dl Delivery, opts SubmitOptions, now time.Time) SubmitPlan {
	p := SubmitPlan{Operation: OpCreate, Report: d.Validate(now)}
	if len(subs) > 0 {
		p.LastAny = &subs[0]
	}
	for i := range subs {
		if subs[i].State == Succeeded {
			p.Last = &subs[i]
			break
		}
	}
	if dl.For(d.ProjectID) && !opts.NewWorkflow {
		p.Operation, p.WorkflowID = OpUpdate, dl.WorkflowID
	} else {
		dl = Delivery{} // a new workflow: every node is created in it
	}
	p.Steps, p.Removed = planSteps(d.Spec, dl, opts.DeleteRemoved)
	for _, st := range p.Steps {
		n, ok := dl.node(st.Node)
		if st.Action != UpdateNode || !ok {
			continue
		}
		if was, is := flowspec.SpecCommand(n.Sent), flowspec.SpecCommand(st.Spec); is != "" && was != "" && is != was {
			// DataWorks refuses it ("Node type (command) cannot be
			// changed after creation"), after the steps before it ran.
			p.Refusals = append(p.Refusals, i18n.Sprintf(
				"node %s is %s in DataWorks and cannot become %s there: change its kind back, or delete it and add a new node of the new kind",
				"节点 %s 在 DataWorks 中是 %s，无法改为 %s：请改回原类型，或删除它并新增一个新类型的节点", st.Name, was, is))
		}
	}
	return p
}

// planSteps lists the calls that make DataWorks hold doc: the workflow,
// then each node upstreams first (CreateNode for a node DataWorks does not
// have, UpdateNode with what changed for one it has, nothing for an
// unchanged one), then the removed nodes (DeleteNode, or skipped).
func planSteps(doc *flowspec.Document, dl Delivery, deleteRemoved bool) ([]Step, []DeliveredNode) {
	mapped := doc.WithIDs(dl.ids())
	wf := Step{Action: CreateWorkflow, Name: doc.Form().Name, State: StepPlanned}
	if dl.WorkflowID != "" {
		wf.Action, wf.TargetID = UpdateWorkflow, dl.WorkflowID
		mapped.SetWorkflowID(dl.WorkflowID)
	}
	// A cycle blocks the node steps; it is an error, so the draft is not
	// submittable anyway.
	p := mapped.Plan()
	wf.Spec = p.Steps[0].Spec
	steps := []Step{wf}
	for _, ps := range p.Steps[1:] {
		local := doc.NodeID(ps.Node)
		n, ok := dl.node(local)
		if !ok || local == "" {
			steps = append(steps, Step{Action: CreateNode, Node: local, Name: ps.Name, Spec: ps.Spec, State: StepPlanned})
			continue
		}
		if spec, _, changed := flowspec.NodeUpdate(n.Sent, ps.Spec); changed {
			steps = append(steps, Step{Action: UpdateNode, Node: local, Name: ps.Name, TargetID: n.ID, Spec: spec, State: StepPlanned})
		}
	}
	var removed []DeliveredNode
	for _, n := range dl.Nodes {
		if _, ok := doc.NodeIndex(n.Local); ok {
			continue
		}
		removed = append(removed, n)
		st := Step{Action: DeleteNode, Node: n.Local, Name: n.Name, TargetID: n.ID, State: StepPlanned}
		if !deleteRemoved {
			st.State, st.Note = StepSkipped, i18n.Text{EN: "Removed from the draft; left in DataWorks (deleting it was not ticked).",
				ZH: "已从草稿中删除；保留在 DataWorks 中（未勾选删除）。"}
		}
		steps = append(steps, st)
	}
	for i := range steps {
		steps[i].Seq = i + 1
	}
	return steps, removed
}

// Submit delivers the draft's current version to DataWorks as one
// recorded plan: the workflow (CreateWorkflowDefinition, or
// UpdateWorkflowDefinition once the draft has one), then its nodes
// upstreams first, then the removed nodes the analyst chose to delete.
// Each step is recorded before it is sent and after it answers. At most
// one submission per draft is pending (the database enforces it), a step
// that succeeded is never sent again, an unknown outcome is settled by
// looking in DataWorks, and a version already delivered is not sent again
// unless a new workflow is asked for. The plan runs to its end even if
// the caller goes away; Submit returns when it ends or ctx does.
func (s *Service) Submit(ctx context.Context, token string, opts SubmitOptions, author string) (Submission, error) {
	if s.submitter == nil {
		return Submission{}, s.unavailable()
	}
	d, err := s.Get(ctx, token)
	if err != nil {
		return Submission{}, err
	}
	if opts.ExpectedVersion != d.Version {
		return Submission{}, &Error{Code: Conflict, Current: d, Message: conflictMessage(opts.ExpectedVersion, d.Version)}
	}
	k := key(token)
	subs, err := s.store.LatestSubmissions(ctx, k)
	if err != nil {
		return Submission{}, err
	}
	dl, err := s.store.Delivery(ctx, k)
	if err != nil {
		return Submission{}, err
	}
	p := plan(d, subs, dl, opts, s.now())
	switch {
	case !p.Report.Valid():
		return Submission{}, &Error{Code: NotReady, Message: i18n.Sprintf("this draft has %d error(s) to fix before it can be submitted; nothing was sent",
			"此草稿有 %d 个错误需先修正才能提交；未发送任何内容", len(p.Report.Errors))}
	case d.ProjectID == "":
		return Submission{}, &Error{Code: NotReady, Message: i18n.Text{EN: "set the workspace ProjectId before submitting; nothing was sent", ZH: "提交前请设置工作空间 ProjectId；未发送任何内容"}}
	case len(p.Refusals) > 0:
		return Submission{}, &Error{Code: NotReady, Message: p.Refusals[0].Join(i18n.Text{EN: "; nothing was sent", ZH: "；未发送任何内容"})}
	case p.LastAny != nil && p.LastAny.State == Pending:
		return Submission{}, inFlight(p.LastAny)
	case p.LastAny != nil && (p.LastAny.State == Unknown || p.LastAny.State == Partial) && !opts.AfterUnknown:
		return Submission{}, &Error{Code: Unsure, Submission: p.LastAny, Message: i18n.Text{
			EN: "the last submission stopped part-way or its outcome is unknown: resume it from its result page, or check DataWorks and confirm to send again",
			ZH: "上次提交中途停止或结果未知：请在其结果页继续，或先在 DataWorks 中确认后再确认重新发送"}}
	case p.Last != nil && p.Last.DraftVersion == d.Version && !opts.NewWorkflow && p.Operation == OpUpdate:
		return Submission{}, &Error{Code: Submitted, Submission: p.Last, Message: i18n.Sprintf(
			"version %d was already submitted (workflow %s); edit the draft, or ask for a new workflow",
			"版本 %d 已提交（工作流 %s）；请先修改草稿，或明确要求新建工作流", d.Version, p.Last.WorkflowID)}
	}
	if p.Operation == OpUpdate && len(dl.Live) > 0 {
		// Also keeps, in the workflow step, colleagues' changes to fields
		// this draft did not touch.
		if live := s.live(ctx, dl, p.Steps); live.Err == "" && len(live.Overwritten) > 0 && !opts.OverwriteLive {
			return Submission{}, &Error{Code: LiveChanged, Message: i18n.Sprintf(
				"workflow %s was changed in DataWorks since this draft last delivered or opened it, and submitting would replace %d of those changes (shown on the submit page); nothing was sent. Confirm to send over them (overwriteLive in the API)",
				"工作流 %s 在本草稿上次提交或打开之后已在 DataWorks 中被修改，提交将覆盖其中 %d 处（见提交页）；未发送任何内容。确认后才会覆盖（API 中为 overwriteLive）", dl.WorkflowID, len(live.Overwritten))}
		}
	}
	var after int64
	if p.LastAny != nil {
		after = p.LastAny.ID
	}
	sub, err := s.store.CreateSubmission(ctx, k, after, Submission{
		DraftVersion: d.Version, Spec: d.SpecJSON, ProjectID: d.ProjectID, Region: d.Region, Endpoint: s.submitter.Endpoint(),
		Operation: p.Operation, WorkflowID: p.WorkflowID, State: Pending, Guidance: waiting, Author: author,
		CreatedAt: s.now().UTC().Truncate(time.Millisecond), Steps: p.Steps, Owner: s.instance,
	})
	if errors.Is(err, ErrPending) && sub.State != Pending {
		return Submission{}, &Error{Code: InFlight, Submission: &sub, Message: i18n.Text{
			EN: "another submission of this draft was just made; look at its result before submitting again", ZH: "此草稿刚刚有另一次提交；请先查看其结果再提交"}}
	} else if errors.Is(err, ErrPending) {
		return Submission{}, inFlight(&sub)
	} else if err != nil {
		return Submission{}, err
	}
	sub.DraftKey = k
	return s.start(ctx, sub), nil
}

func inFlight(sub *Submission) *Error {
	return &Error{Code: InFlight, Submission: sub, Message: i18n.Text{
		EN: "a submission of this draft is already in progress; wait for its result", ZH: "此草稿已有提交正在进行；请等待结果"}}
}

// Resume goes on with a delivery that stopped part-way: the steps that
// succeeded are not sent again.
func (s *Service) Resume(ctx context.Context, token string, id int64) (Submission, error) {
	if s.submitter == nil {
		return Submission{}, s.unavailable()
	}
	if _, err := s.lookup(ctx, token); err != nil {
		return Submission{}, err
	}
	k := key(token)
	sub, err := s.store.ResumeSubmission(ctx, k, id, s.instance)
	switch {
	case errors.Is(err, ErrPending):
		return Submission{}, inFlight(&sub)
	case errors.Is(err, ErrNotFound):
		return Submission{}, &Error{Code: NotFound, Message: i18n.Text{EN: "no such submission", ZH: "没有这条提交记录"}}
	case errors.Is(err, ErrNotResumable):
		return Submission{}, &Error{Code: NotResumable, Message: i18n.Text{
			EN: "this submission did not stop part-way (or a later one was made), so there is nothing to resume", ZH: "此次提交并未中途停止（或之后已有新的提交），无需继续"}}
	case err != nil:
		return Submission{}, err
	}
	sub.DraftKey = k
	return s.start(ctx, sub), nil
}

// start runs a pending delivery in the background, so that it ends even
// if the caller goes away, and waits for it while ctx lasts.
func (s *Service) start(ctx context.Context, sub Submission) Submission {
	done := make(chan Submission, 1)
	s.runs.Add(1)
	go func() {
		defer s.runs.Done()
		done <- s.run(context.WithoutCancel(ctx), sub)
	}()
	select {
	case out := <-done:
		return out
	case <-ctx.Done():
		return sub // still pending; its result page follows it
	}
}

// Drain waits for deliveries in progress (after the submitter was told to
// abandon its calls, they end at once).
func (s *Service) Drain() { s.runs.Wait() }

// execution is one run of a delivery's steps.
type execution struct {
	s      *Service
	sub    *Submission
	doc    *flowspec.Document // the draft version delivered
	dl     Delivery
	manual bool
	mapped *flowspec.Document // doc with the ids known so far; nil when they changed
	full   map[string][]byte  // each node's whole spec as last sent, for Delivery.Sent
}

func (s *Service) newExecution(ctx context.Context, sub *Submission) (*execution, error) {
	doc, _, err := flowspec.Import(sub.Spec)
	if err != nil {
		return nil, err
	}
	dl, err := s.store.Delivery(ctx, sub.DraftKey)
	if err != nil {
		return nil, err
	}
	if sub.Operation == OpCreate && sub.unsettled() == 0 {
		dl = Delivery{} // nothing created yet: a new workflow
	}
	if sub.WorkflowID == "" && sub.unsettled() != 0 {
		sub.WorkflowID = dl.WorkflowID // created by a run that stopped before recording its end
	}
	return &execution{s: s, sub: sub, doc: doc, dl: dl, manual: doc.Kind() == flowspec.KindManual, full: map[string][]byte{}}, nil
}

// run sends the steps not yet finished, in order, and records the end.
func (s *Service) run(ctx context.Context, sub Submission) Submission {
	x, err := s.newExecution(ctx, &sub)
	if err != nil {
		sub.State, sub.ErrorCode, sub.Error, sub.Guidance = Failed, "Internal", err.Error(), i18n.Text{
			EN: "FlowForm could not read the recorded plan; nothing more was sent.", ZH: "FlowForm 无法读取记录的计划；未再发送任何内容。"}
		s.finish(ctx, &sub)
		return sub
	}
	for i := 0; i < len(sub.Steps); i++ {
		if sub.Steps[i].Finished() {
			continue
		}
		if !x.step(ctx, i) {
			break
		}
	}
	if sub.State == Pending && sub.unsettled() < 0 {
		sub.State, sub.ErrorCode, sub.Error = Succeeded, "", ""
		sub.Guidance = sub.Steps[0].successGuidance(s.submitter.Endpoint() == "sandbox", sub.Operation)
		sub.Live = s.readBack(ctx, x)
	}
	if sub.State != Pending { // pending: stopped by shutdown, settled at the next start
		s.finish(ctx, &sub)
	}
	return sub
}

func (s *Service) finish(ctx context.Context, sub *Submission) {
	sub.FinishedAt = s.now().UTC().Truncate(time.Millisecond)
	if err := s.store.FinishSubmission(ctx, *sub); err != nil {
		sub.State = Pending // not recorded: what the store holds stands
	}
}

// readBack reads the workflow as DataWorks now shows it, kept with the
// delivery's end to tell later whether someone changed it in the
// console; nil when it cannot be read (such changes then go unnoticed,
// nothing worse).
func (s *Service) readBack(ctx context.Context, x *execution) []byte {
	def, nodes, err := s.submitter.Fetch(ctx, x.sub.Region, x.sub.ProjectID, x.dl.WorkflowID)
	if err != nil {
		return nil
	}
	doc, err := liveDocument(def, nodes)
	if err != nil {
		return nil
	}
	return doc.Canonical()
}

// step carries out step i and reports whether the plan goes on.
func (x *execution) step(ctx context.Context, i int) bool {
	st := &x.sub.Steps[i]
	if st.State == StepSending || st.State == StepUnknown {
		// Left by a run that stopped: settle it by looking first.
		switch x.reconcile(ctx, st) {
		case settled:
			return x.settle(ctx, st)
		case unsettled:
			return x.stop(ctx, st, Unknown)
		}
	}
	for range 3 { // a call not executed (as looking showed) is sent again, twice at most
		res := x.send(ctx, st)
		switch res.State {
		case Succeeded:
			st.State = StepDone
			if st.Action == CreateWorkflow || st.Action == CreateNode {
				st.TargetID = res.ID
			}
			return x.settle(ctx, st)
		case Failed:
			st.State = StepFailed
			x.sub.RequestID, x.sub.HTTPStatus, x.sub.ErrorCode, x.sub.Error, x.sub.Guidance = res.RequestID, res.HTTPStatus, res.ErrorCode, res.Error, res.Guidance
			if done := x.sub.Count(StepDone, StepAdopted); done > 0 {
				x.sub.Guidance = i18n.Sprintf("Step %d (%s %s) was refused, so nothing after it was sent; the %d step(s) before it were carried out in DataWorks, and the next submit goes on from there.",
					"第 %d 步（%s %s）被拒绝，其后的步骤均未发送；之前的 %d 步已在 DataWorks 中执行，下次提交会接着进行。", st.Seq, st.Action, st.Name, done).Join(res.Guidance)
			}
			return x.stop(ctx, st, Failed)
		}
		if res.ErrorCode == "Shutdown" {
			// FlowForm is stopping: the step stays "sending" and the
			// delivery pending, and the next start settles it by looking.
			x.sub.Guidance = stopping
			_ = x.s.store.FinishSubmission(ctx, *x.sub)
			return false
		}
		switch x.reconcile(ctx, st) {
		case settled:
			return x.settle(ctx, st)
		case unsettled:
			x.sub.RequestID, x.sub.HTTPStatus, x.sub.ErrorCode, x.sub.Error = res.RequestID, res.HTTPStatus, res.ErrorCode, res.Error
			return x.stop(ctx, st, Unknown)
		}
	}
	st.State = StepUnknown
	return x.stop(ctx, st, Unknown)
}

// send records the step as sending with its exact Spec, then calls.
func (x *execution) send(ctx context.Context, st *Step) SubmitResult {
	st.Spec = x.spec(st)
	st.State, st.StartedAt = StepSending, x.s.now().UTC().Truncate(time.Millisecond)
	st.Tries++
	if err := x.s.store.StartStep(ctx, x.sub.ID, *st); err != nil {
		// Not recorded, not sent: the plan stops with nothing unknown.
		st.State = StepPlanned
		return SubmitResult{State: Failed, ErrorCode: "Storage", Error: err.Error(), Guidance: i18n.Text{
			EN: "FlowForm could not record the step before sending it, so it was not sent; try again.", ZH: "FlowForm 无法在发送前记录该步骤，因此未发送；请重试。"}}
	}
	req := SubmitRequest{Action: st.Action, ProjectID: x.sub.ProjectID, Region: x.sub.Region, ID: st.TargetID, Spec: st.Spec}
	if st.Action == CreateNode {
		req.ContainerID, req.Scene = x.dl.WorkflowID, "DATAWORKS_PROJECT"
		if x.manual {
			req.Scene = "DATAWORKS_MANUAL_WORKFLOW"
		}
	}
	if st.Action == DeleteNode {
		req.Spec = nil
	}
	res := x.s.submitter.Submit(ctx, req)
	st.Tries += max(res.Tries, 1) - 1
	st.RequestID, st.HTTPStatus, st.ErrorCode, st.Error = res.RequestID, res.HTTPStatus, res.ErrorCode, res.Error
	st.FinishedAt = x.s.now().UTC().Truncate(time.Millisecond)
	return res
}

// spec is the exact Spec a step sends now: node specs name the ids
// DataWorks assigned to the upstreams created before them.
func (x *execution) spec(st *Step) []byte {
	if st.Node == "" || st.Repair || st.Action == DeleteNode {
		return st.Spec
	}
	i, ok := x.doc.NodeIndex(st.Node)
	if !ok {
		return st.Spec
	}
	if x.mapped == nil {
		x.mapped = x.doc.WithIDs(x.dl.ids())
	}
	full := x.mapped.NodeSpec(i)
	x.full[st.Node] = full
	if st.Action == UpdateNode {
		if n, ok := x.dl.node(st.Node); ok {
			if spec, _, changed := flowspec.NodeUpdate(n.Sent, full); changed {
				return spec
			}
		}
		return st.Spec
	}
	return full
}

// record stores a settled step with what it changed in the Delivery.
func (x *execution) record(ctx context.Context, st *Step) bool {
	change := DeliveryChange{}
	switch st.Action {
	case CreateWorkflow, UpdateWorkflow:
		if st.Action == UpdateWorkflow {
			st.TargetID = x.dl.WorkflowID
		}
		change.Workflow = &Delivery{ProjectID: x.sub.ProjectID, Region: x.sub.Region, WorkflowID: st.TargetID}
		if x.dl.WorkflowID != st.TargetID {
			x.dl = Delivery{}
		}
		x.dl.ProjectID, x.dl.Region, x.dl.WorkflowID = x.sub.ProjectID, x.sub.Region, st.TargetID
		x.sub.WorkflowID, x.sub.RequestID = st.TargetID, st.RequestID
	case CreateNode, UpdateNode:
		if st.Repair {
			break
		}
		sent := x.full[st.Node]
		if sent == nil {
			sent = st.Spec
		}
		n := DeliveredNode{Local: st.Node, ID: st.TargetID, Name: st.Name, Sent: sent}
		change.Node = &n
		x.dl.Nodes = append(slices.DeleteFunc(x.dl.Nodes, func(o DeliveredNode) bool { return o.Local == st.Node }), n)
		x.mapped = nil
	case DeleteNode:
		change.Forget = st.Node
		x.dl.Nodes = slices.DeleteFunc(x.dl.Nodes, func(o DeliveredNode) bool { return o.Local == st.Node })
		x.mapped = nil
	}
	if err := x.s.store.FinishStep(ctx, x.sub.DraftKey, x.sub.ID, *st, change); err != nil {
		// DataWorks did the call but FlowForm could not record it: the
		// plan stops, and the step is settled by looking when resumed.
		st.State = StepUnknown
		x.sub.State, x.sub.ErrorCode, x.sub.Error = Unknown, "Storage", err.Error()
		x.sub.Guidance = i18n.Text{EN: "DataWorks carried out a step but FlowForm could not record it; resume from this page once the database is healthy: FlowForm will look the step up in DataWorks.",
			ZH: "DataWorks 已执行某一步骤，但 FlowForm 无法记录；数据库恢复后请在此页继续：FlowForm 会先在 DataWorks 中查找该步骤的结果。"}
		return false
	}
	return true
}

// stop records a step that failed or stayed unknown, and ends the plan.
func (x *execution) stop(ctx context.Context, st *Step, state string) bool {
	if st.State != StepFailed {
		st.State = StepUnknown
	}
	x.sub.State = state
	if state == Unknown {
		x.sub.Guidance = i18n.Text{
			EN: "Unknown — check DataWorks. Step " + strconv.Itoa(st.Seq) + " (" + st.Action + " " + st.Name + ") may or may not have been carried out, and looking did not tell: " + st.Note.EN + " Resume from this page once you know; FlowForm looks again first.",
			ZH: "未知——请在 DataWorks 中确认。第 " + strconv.Itoa(st.Seq) + " 步（" + st.Action + " " + st.Name + "）可能已执行也可能没有，查找也无法确定：" + st.Note.ZH + " 确认后可在此页继续；FlowForm 会先再次查找。"}
	}
	_ = x.s.store.FinishStep(ctx, x.sub.DraftKey, x.sub.ID, *st, DeliveryChange{})
	return false
}

// Verdicts of looking up a step whose outcome is unknown.
const (
	settled     = iota // it was carried out (or its object exists): done
	notExecuted        // safe to send (again)
	unsettled          // looking failed too
)

// reconcile settles a step whose call may or may not have been carried
// out by looking in DataWorks, since no operation takes an idempotency
// token: a create is looked up by its exact name (found: its Id is
// adopted), a delete by the node's Id; an update sends the same Spec
// again, which is safe.
func (x *execution) reconcile(ctx context.Context, st *Step) int {
	sub := x.sub
	switch st.Action {
	case CreateWorkflow, CreateNode:
		l := Lookup{Region: sub.Region, ProjectID: sub.ProjectID, Name: st.Name}
		what := i18n.Sprintf("FlowForm looked for a workflow named %q in workspace %s (ListWorkflowDefinitions)",
			"FlowForm 在工作空间 %[2]s 中查找名为 %[1]q 的工作流（ListWorkflowDefinitions）", st.Name, sub.ProjectID)
		if st.Action == CreateWorkflow {
			l.Manual, l.Path = x.manual, x.doc.WorkflowPath()
		} else {
			l.ContainerID = x.dl.WorkflowID
			what = i18n.Sprintf("FlowForm looked for a node named %q in workflow %s (ListNodes)",
				"FlowForm 在工作流 %[2]s 中查找名为 %[1]q 的节点（ListNodes）", st.Name, l.ContainerID)
		}
		l.Since = st.StartedAt.Add(-clockSkew)
		id, found, err := x.find(ctx, l)
		switch {
		case err != nil:
			why := strings.TrimRight(err.Error(), ".")
			st.Note = i18n.Text{EN: what.EN + " but could not tell: " + why + ".", ZH: what.ZH + "，但无法确定：" + why + "。"}
			return unsettled
		case found:
			st.State, st.TargetID = StepAdopted, id
			st.Note = i18n.Text{EN: what.EN + " and found it (Id " + id + "): adopted, not created again.",
				ZH: what.ZH + "，已找到（Id " + id + "）：直接采用，不再重复创建。"}
			return settled
		}
		st.Note = i18n.Text{EN: what.EN + " and did not find it: it was not created, so sending it again is safe.",
			ZH: what.ZH + "，未找到：说明未创建，可以安全地重新发送。"}
		st.State = StepPlanned
		return notExecuted
	case DeleteNode:
		_, err := x.s.submitter.Dependencies(ctx, sub.Region, sub.ProjectID, st.TargetID)
		var re *RemoteError
		switch {
		case errors.As(err, &re) && re.NotFound:
			st.State = StepDone
			st.Note = i18n.Sprintf("FlowForm looked for node %s (GetNode): it is gone.", "FlowForm 查找节点 %s（GetNode）：已不存在。", st.TargetID)
			return settled
		case err != nil:
			st.Note = i18n.Sprintf("FlowForm looked for node %s (GetNode) but could not tell: %s.", "FlowForm 查找节点 %s（GetNode），但无法确定：%s。", st.TargetID, err.Error())
			return unsettled
		}
		st.State = StepPlanned
		st.Note = i18n.Sprintf("FlowForm looked for node %s (GetNode): it still exists, so the delete is sent again.", "FlowForm 查找节点 %s（GetNode）：仍存在，因此重新发送删除。", st.TargetID)
		return notExecuted
	}
	st.State = StepPlanned
	st.Note = i18n.Text{EN: "The update's outcome was unknown; an update carries the whole change, so sending the same Spec again is safe.",
		ZH: "更新结果未知；更新携带完整的变更，因此重新发送同一 Spec 是安全的。"}
	return notExecuted
}

// clockSkew is how far DataWorks' clock may be behind FlowForm's.
const clockSkew = 2 * time.Minute

// find looks up what a create may have made. Of same-named objects, one
// this delivery (for a node) or another draft (for a workflow) already
// holds is not it. Lookups are serialised, so two deliveries settling at
// once do not adopt the same workflow.
func (x *execution) find(ctx context.Context, l Lookup) (string, bool, error) {
	x.s.finding.Lock()
	defer x.s.finding.Unlock()
	ids, err := x.s.submitter.Find(ctx, l)
	if err != nil || len(ids) == 0 {
		return "", false, err
	}
	taken := map[string]bool{}
	if l.ContainerID != "" {
		for _, n := range x.dl.Nodes {
			taken[n.ID] = true
		}
	} else {
		if taken, err = x.s.store.Claimed(ctx, x.sub.DraftKey, ids); err != nil {
			return "", false, err
		}
		for id, key := range x.s.adopted {
			taken[id] = taken[id] || key != x.sub.DraftKey
		}
	}
	for _, id := range ids {
		if !taken[id] {
			if l.ContainerID == "" {
				// Until the step is recorded, another draft's lookup must
				// not take it too.
				x.s.adopted[id] = x.sub.DraftKey
			}
			return id, true, nil
		}
	}
	return "", false, nil
}

// settle records a step that was carried out, after checking what it
// did: a created or updated node whose dependencies DataWorks dropped gets
// a repair step.
func (x *execution) settle(ctx context.Context, st *Step) bool {
	repair := x.verify(ctx, st)
	if !x.record(ctx, st) {
		return false
	}
	if repair != nil {
		if err := x.s.store.AddStep(ctx, x.sub.ID, *repair); err != nil {
			return false
		}
		x.sub.Steps = append(x.sub.Steps, *repair)
	}
	return true
}

// verify checks, after a node was created or its dependencies updated,
// that DataWorks recorded every dependency sent (CreateNode can drop them,
// nodes-reference §3.6.3); for those it dropped it returns a repair step.
func (x *execution) verify(ctx context.Context, st *Step) *Step {
	if st.Action != CreateNode && st.Action != UpdateNode {
		return nil
	}
	want, _ := flowspec.NodeDepends(st.Spec)
	if len(want) == 0 {
		return nil
	}
	got, err := x.s.submitter.Dependencies(ctx, x.sub.Region, x.sub.ProjectID, st.TargetID)
	if err != nil {
		st.Note = st.Note.Join(i18n.Text{EN: "Could not check the dependencies DataWorks recorded: " + err.Error() + ".",
			ZH: "无法核对 DataWorks 记录的依赖：" + err.Error() + "。"})
		return nil
	}
	var missing []string
	for _, o := range want {
		if !slices.Contains(got, o) {
			missing = append(missing, o)
		}
	}
	if len(missing) == 0 {
		st.Note = st.Note.Join(i18n.Sprintf("Checked with GetNode: DataWorks recorded the dependencies sent (%d).", "已用 GetNode 核对：DataWorks 已记录发送的依赖（%d 个）。", len(want)))
		return nil
	}
	st.Note = st.Note.Join(i18n.Sprintf("DataWorks dropped %d of its %d dependencies; a repair step sets them again.",
		"DataWorks 丢弃了其 %[2]d 个依赖中的 %[1]d 个；修复步骤会重新设置。", len(missing), len(want)))
	return &Step{Seq: len(x.sub.Steps) + 1, Action: UpdateNode, Node: st.Node, Name: st.Name, Repair: true, TargetID: st.TargetID,
		Spec: flowspec.RepairSpec(st.Spec, st.TargetID), State: StepPlanned}
}

// LeaseTime is how long an instance's lease on its deliveries lasts
// without renewal; Renew runs well within it.
const LeaseTime = 10 * time.Second

// Renew renews this instance's lease on the deliveries it runs.
func (s *Service) Renew(ctx context.Context) error { return s.store.Renew(ctx, s.instance, s.now()) }

// Recover settles deliveries a crash or a stop left pending — those whose
// instance's lease ran out, never a live instance's: a step that was
// being sent is looked up in DataWorks as during a run. The delivery is
// then partial (every outcome known; the analyst resumes it) or unknown.
// It runs at start-up and then now and again, as leases run out.
func (s *Service) Recover(ctx context.Context) (int, error) {
	return s.recover(ctx, s.now().Add(-LeaseTime))
}

// RecoverAll is Recover for a store this instance has to itself (the
// embedded SQLite file): at start-up every pending delivery is a
// previous run's, whatever its lease says.
func (s *Service) RecoverAll(ctx context.Context) (int, error) {
	return s.recover(ctx, s.now().Add(time.Hour))
}

func (s *Service) recover(ctx context.Context, staleBefore time.Time) (int, error) {
	if s.submitter == nil {
		return 0, nil
	}
	subs, err := s.store.ClaimOrphans(ctx, s.instance, staleBefore)
	if err != nil {
		return 0, err
	}
	for _, sub := range subs {
		x, err := s.newExecution(ctx, &sub)
		state := Partial
		if err != nil {
			state = Unknown // the plan cannot be read: nothing can be looked up
		} else {
			for i := range sub.Steps {
				st := &sub.Steps[i]
				if st.State != StepSending && st.State != StepUnknown {
					continue
				}
				switch x.reconcile(ctx, st) {
				case settled:
					x.settle(ctx, st)
				case notExecuted:
					_ = s.store.FinishStep(ctx, sub.DraftKey, sub.ID, *st, DeliveryChange{})
				default:
					st.State, state = StepUnknown, Unknown
					_ = s.store.FinishStep(ctx, sub.DraftKey, sub.ID, *st, DeliveryChange{})
				}
			}
		}
		done := 0
		for _, st := range sub.Steps {
			if st.Finished() {
				done++
			}
		}
		sub.State, sub.ErrorCode, sub.Error = state, "Interrupted", "" // the guidance says it in the analyst's language
		sub.Guidance = i18n.Sprintf("FlowForm stopped during this delivery after %d of %d steps. It looked in DataWorks for the step in flight and recorded what it found; resume from this page to send the rest — steps that succeeded are not sent again.",
			"FlowForm 在此次提交的第 %d/%d 步后停止。它已在 DataWorks 中查找进行中的步骤并记录结果；在此页继续即可发送其余步骤——已成功的步骤不会重复发送。", done, len(sub.Steps))
		if state == Unknown {
			sub.Guidance = i18n.Text{EN: "Unknown — check DataWorks. FlowForm stopped during this delivery, and looking in DataWorks for the step in flight did not tell whether it was carried out. Resume from this page once DataWorks answers; FlowForm looks again first.",
				ZH: "未知——请在 DataWorks 中确认。FlowForm 在此次提交中途停止，查找进行中的步骤也无法确定其是否已执行。DataWorks 可访问后请在此页继续；FlowForm 会先再次查找。"}
		}
		s.finish(ctx, &sub)
	}
	return len(subs), nil
}

// LiveReport is what DataWorks holds now, for the submit page.
type LiveReport struct {
	Err string // reading the live workflow failed (redacted)
	// Console is what changed in DataWorks since this draft last
	// delivered or opened the workflow (someone edited it in the console).
	Console []flowspec.Change
	// Changes is what the delivery changes in DataWorks.
	Changes []flowspec.Change
	// Overwritten are the Console changes the delivery replaces; the
	// others stay as they are in DataWorks (only what changed is sent).
	Overwritten []flowspec.Change
}

// sameField reports whether two changes are to one field of one object:
// paths are compared with node indexes left out, since the two diffs may
// number nodes differently.
func sameField(a, b flowspec.Change) bool {
	return a.Node == b.Node && nodeIndex.ReplaceAllString(a.Path, "nodes[]") == nodeIndex.ReplaceAllString(b.Path, "nodes[]")
}

var nodeIndex = regexp.MustCompile(`nodes\[\d+\]`)

// live reads the workflow DataWorks holds and compares it with what this
// draft last saw of it and with what the steps would make of it. The
// workflow step is changed in place to keep colleagues' changes to fields
// the draft did not touch (flowspec.KeepTheirs).
func (s *Service) live(ctx context.Context, dl Delivery, steps []Step) *LiveReport {
	def, nodes, err := s.submitter.Fetch(ctx, dl.Region, dl.ProjectID, dl.WorkflowID)
	if err != nil {
		return &LiveReport{Err: err.Error()}
	}
	doc, err := liveDocument(def, nodes)
	if err != nil {
		return &LiveReport{Err: "DataWorks answered with a spec FlowForm cannot read: " + err.Error()}
	}
	r := &LiveReport{}
	if len(dl.Live) > 0 {
		if base, _, err := flowspec.Import(dl.Live); err == nil {
			r.Console = flowspec.Diff(base, doc)
			if len(steps) > 0 && steps[0].Action == UpdateWorkflow {
				steps[0].Spec = flowspec.KeepTheirs(steps[0].Spec, base, doc)
			}
		}
	}
	var calls []flowspec.Call
	for _, st := range steps {
		if st.State != StepSkipped {
			calls = append(calls, flowspec.Call{Action: st.Action, ID: st.TargetID, Spec: st.Spec})
		}
	}
	r.Changes = flowspec.Diff(doc, flowspec.Delivered(doc, calls))
	for _, c := range r.Console {
		if slices.ContainsFunc(r.Changes, func(d flowspec.Change) bool { return sameField(c, d) }) {
			r.Overwritten = append(r.Overwritten, c)
		}
	}
	return r
}

// Submission reads one of a draft's submissions with its steps.
func (s *Service) Submission(ctx context.Context, token string, id int64) (Submission, error) {
	if _, err := s.lookup(ctx, token); err != nil {
		return Submission{}, err
	}
	sub, err := s.store.Submission(ctx, key(token), id)
	if errors.Is(err, ErrNotFound) {
		return Submission{}, &Error{Code: NotFound, Message: i18n.Text{EN: "no such submission", ZH: "没有这条提交记录"}}
	}
	return sub, err
}

// successGuidance is what a delivery that succeeded means for the analyst.
func (st Step) successGuidance(sandbox bool, op string) i18n.Text {
	switch {
	case sandbox:
		return i18n.Text{EN: "Done in the sandbox: FlowForm's stand-in endpoint checked every signed request and spec and holds the workflow and its nodes. Nothing reached Alibaba Cloud. Run FlowForm with Alibaba Cloud credentials to submit for real.",
			ZH: "已在沙箱中完成：FlowForm 的替身端点校验了每个签名请求和 Spec，并保存了工作流及其节点。没有任何内容发送到阿里云。配置阿里云凭证后运行 FlowForm 才会真正提交。"}
	case op == OpUpdate:
		return i18n.Text{EN: "Done: the workflow and its nodes in DataWorks now match this version. Deploy it from Data Studio when ready.",
			ZH: "完成：DataWorks 中的工作流及其节点已与此版本一致。准备好后在 Data Studio 中发布。"}
	}
	return i18n.Text{EN: "Done: the workflow and its nodes exist in DataWorks. Deploy it from Data Studio when ready.",
		ZH: "完成：工作流及其节点已在 DataWorks 中。准备好后在 Data Studio 中发布。"}
}

var (
	waiting  = i18n.Text{EN: "Delivering to DataWorks.", ZH: "正在提交到 DataWorks。"}
	stopping = i18n.Text{EN: "FlowForm was stopped during this delivery, so the call in flight may or may not have been carried out. When FlowForm starts again it looks that step up in DataWorks; then resume the delivery from this page.",
		ZH: "此次提交进行中 FlowForm 被停止，进行中的调用可能已执行也可能没有。FlowForm 再次启动时会在 DataWorks 中查找该步骤；之后可在此页继续提交。"}
)

// Steps is the delivery plan for doc in a workspace, given what the draft
// holds in DataWorks: what the editor's plan panel shows (removed nodes
// are listed as left in DataWorks).
func Steps(doc *flowspec.Document, dl Delivery, projectID string) []Step {
	if !dl.For(projectID) {
		dl = Delivery{}
	}
	steps, _ := planSteps(doc, dl, false)
	return steps
}
