package draft

import (
	"context"
	"regexp"

	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// OpenRequest names a workflow in DataWorks to open as a draft.
type OpenRequest struct {
	Region, ProjectID, WorkflowID string
}

// Open reads a workflow from DataWorks — its definition, inner nodes and
// dependencies — and makes it a new draft that remembers the workflow's
// and nodes' Ids, so its first submit updates them.
func (s *Service) Open(ctx context.Context, req OpenRequest, author string) (*Draft, error) {
	if s.submitter == nil {
		return nil, s.unavailable()
	}
	if f := flowspec.CheckProjectID(req.ProjectID); f != nil || req.ProjectID == "" {
		return nil, invalid("projectId: a workspace ProjectId is a positive whole number", "projectId：工作空间 ProjectId 是正整数")
	}
	if req.Region == "" {
		req.Region = s.defaultRegion
	}
	if !regionPattern.MatchString(req.Region) {
		return nil, invalid("region: a DataWorks region id such as cn-shanghai", "region：DataWorks 地域 ID，例如 cn-shanghai")
	}
	if !workflowIDPattern.MatchString(req.WorkflowID) {
		return nil, invalid("workflowId: a DataWorks workflow Id is a number, such as 4634978808809541235", "workflowId：DataWorks 工作流 Id 是数字，例如 4634978808809541235")
	}
	def, nodes, err := s.submitter.Fetch(ctx, req.Region, req.ProjectID, req.WorkflowID)
	if err != nil {
		return nil, remoteTrouble(err)
	}
	doc, err := liveDocument(def, nodes)
	if err != nil {
		return nil, invalid("DataWorks answered with a workflow FlowForm cannot read: %s", "DataWorks 返回的工作流无法读取：%s", err.Error())
	}
	in := Input{ProjectID: req.ProjectID, Region: req.Region, Spec: doc}
	if err := s.check(&in); err != nil {
		return nil, err
	}
	dl := &Delivery{ProjectID: in.ProjectID, Region: in.Region, WorkflowID: req.WorkflowID, Live: in.Spec.Canonical()}
	for i := range in.Spec.NodeCount() {
		id := in.Spec.NodeID(i)
		if id != "" {
			dl.Nodes = append(dl.Nodes, DeliveredNode{Local: id, ID: id, Name: in.Spec.NodeName(i), Sent: in.Spec.NodeSpec(i)})
		}
	}
	return s.create(ctx, in, author, dl)
}

// Workflows lists one page of a workspace's workflows in DataWorks.
func (s *Service) Workflows(ctx context.Context, q WorkflowQuery) (WorkflowPage, error) {
	if s.submitter == nil {
		return WorkflowPage{}, s.unavailable()
	}
	if f := flowspec.CheckProjectID(q.ProjectID); f != nil || q.ProjectID == "" {
		return WorkflowPage{}, invalid("projectId: a workspace ProjectId is a positive whole number", "projectId：工作空间 ProjectId 是正整数")
	}
	if q.Region == "" {
		q.Region = s.defaultRegion
	}
	if !regionPattern.MatchString(q.Region) {
		return WorkflowPage{}, invalid("region: a DataWorks region id such as cn-shanghai", "region：DataWorks 地域 ID，例如 cn-shanghai")
	}
	if q.Page == 0 {
		q.Page = 1
	}
	if q.PageSize == 0 {
		q.PageSize = 20
	}
	if q.Page < 1 || q.PageSize < 1 || q.PageSize > 100 {
		return WorkflowPage{}, invalid("page from 1, pageSize from 1 to 100", "page 从 1 开始，pageSize 为 1 到 100")
	}
	page, err := s.submitter.Workflows(ctx, q)
	if err != nil {
		return WorkflowPage{}, remoteTrouble(err)
	}
	return page, nil
}

// workflowIDPattern is a workflow Id: digits (19 in every export).
var workflowIDPattern = regexp.MustCompile(`^[0-9]{1,32}$`)

// Remote is the error for a read from DataWorks that failed.
const Remote Code = "dataworks_error"

func remoteTrouble(err error) *Error {
	if re, ok := err.(*RemoteError); ok && re.NotFound {
		return &Error{Code: NotFound, Message: i18n.Sprintf("DataWorks has no such workflow in this workspace (%s)", "此工作空间中没有该工作流（%s）", re.Code)}
	}
	return &Error{Code: Remote, Message: i18n.Sprintf("DataWorks could not be read: %s", "无法读取 DataWorks：%s", err.Error())}
}

// Delivery returns what the draft holds in DataWorks.
func (s *Service) Delivery(ctx context.Context, token string) (Delivery, error) {
	if _, err := s.lookup(ctx, token); err != nil {
		return Delivery{}, err
	}
	return s.store.Delivery(ctx, key(token))
}
