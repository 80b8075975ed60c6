package dataworks

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
)

// The reads: GET with every parameter in the query string
// (nodes-reference §1.1). DataWorks writes the same value as a number in
// one answer and a string in another (paging, ids), so they are decoded
// through flexInt and id.

// pageSize is the most DataWorks lists per page.
const pageSize = 100

// maxPages bounds a lookup that pages through a list (10,000 objects).
const maxPages = 100

// id is an Id sent as a string or a number, every digit kept.
type id string

func (v *id) UnmarshalJSON(b []byte) error {
	*v = id(rawID(b))
	return nil
}

// flexInt is a count sent as a number or a string.
type flexInt int64

func (v *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil && s != "" && s != "null" {
		return err
	}
	*v = flexInt(n)
	return nil
}

// read makes one GET call and decodes its answer into out; throttled
// calls are retried as writes are.
func (c *Client) read(ctx context.Context, region, action string, query map[string]string, out any) error {
	var res draft.SubmitResult
	var body []byte
	c.retrying(ctx, func() bool {
		res = c.call(region, requests.GET, action, query, func(status int, b []byte) draft.SubmitResult {
			body = b
			return draft.SubmitResult{State: draft.Succeeded, HTTPStatus: status}
		})
		return res.State == draft.Failed && strings.HasPrefix(res.ErrorCode, "Throttling")
	})
	if res.State != draft.Succeeded {
		return &draft.RemoteError{Code: res.ErrorCode, Message: clip(c.secrets.redact(res.Error)), NotFound: notFound(res.ErrorCode)}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return &draft.RemoteError{Code: "BadResponse", Message: action + " answered with JSON FlowForm cannot read: " + clip(err.Error())}
	}
	return nil
}

// notFound recognises an answer that the object does not exist. DataWorks
// documents no codes for it; these are the fake's, and the shape its
// InvalidParameter.*NotFound codes take (unverified against the service).
func notFound(code string) bool {
	return strings.HasPrefix(code, "InvalidParameter.") && (strings.HasSuffix(code, "NotFound") || strings.HasSuffix(code, "NotExist"))
}

type listedWorkflow struct {
	Id         id
	Name       string
	Owner      string
	Type       string
	CreateTime flexInt
	ModifyTime flexInt
	Script     struct{ Path string }
}

type workflowList struct {
	PagingInfo struct {
		PageNumber, PageSize, TotalCount flexInt
		WorkflowDefinitions              []listedWorkflow
	}
}

type listedNode struct {
	Id         id
	Name       string
	CreateTime flexInt
	Script     struct {
		Path    string
		Runtime struct{ Command string }
	}
}

type nodeList struct {
	PagingInfo struct {
		PageNumber, PageSize, TotalCount flexInt
		Nodes                            []listedNode
	}
}

func workflowType(manual bool) string {
	if manual {
		return flowspec.KindManual
	}
	return flowspec.KindCycle
}

// Workflows implements draft.Submitter: ListWorkflowDefinitions.
func (c *Client) Workflows(ctx context.Context, q draft.WorkflowQuery) (draft.WorkflowPage, error) {
	query := map[string]string{"ProjectId": q.ProjectID, "Type": workflowType(q.Manual),
		"PageNumber": strconv.Itoa(q.Page), "PageSize": strconv.Itoa(q.PageSize)}
	if q.Name != "" {
		query["Name"] = q.Name
	}
	var answer workflowList
	if err := c.read(ctx, q.Region, "ListWorkflowDefinitions", query, &answer); err != nil {
		return draft.WorkflowPage{}, err
	}
	info := answer.PagingInfo
	page := draft.WorkflowPage{Page: int(info.PageNumber), PageSize: int(info.PageSize), Total: int(info.TotalCount)}
	for _, w := range info.WorkflowDefinitions {
		page.Workflows = append(page.Workflows, draft.RemoteWorkflow{ID: string(w.Id), Name: w.Name, Owner: w.Owner,
			Path: w.Script.Path, Type: w.Type, ModifiedAt: time.UnixMilli(int64(w.ModifyTime)).UTC()})
	}
	return page, nil
}

// Find implements draft.Submitter: the name filters of ListNodes and
// ListWorkflowDefinitions match fuzzily, so every page is read and names
// compared exactly; matches are returned newest first.
func (c *Client) Find(ctx context.Context, l draft.Lookup) ([]string, error) {
	type match struct {
		id      string
		created int64
	}
	var found []match
	since := l.Since.UnixMilli()
	for page := 1; page <= maxPages; page++ {
		query := map[string]string{"ProjectId": l.ProjectID, "Name": l.Name, "PageNumber": strconv.Itoa(page), "PageSize": strconv.Itoa(pageSize)}
		var total, listed int
		if l.ContainerID != "" {
			query["ContainerId"] = l.ContainerID
			var answer nodeList
			if err := c.read(ctx, l.Region, "ListNodes", query, &answer); err != nil {
				return nil, err
			}
			for _, n := range answer.PagingInfo.Nodes {
				if n.Name == l.Name && int64(n.CreateTime) >= since {
					found = append(found, match{string(n.Id), int64(n.CreateTime)})
				}
			}
			total, listed = int(answer.PagingInfo.TotalCount), len(answer.PagingInfo.Nodes)
		} else {
			query["Type"] = workflowType(l.Manual)
			var answer workflowList
			if err := c.read(ctx, l.Region, "ListWorkflowDefinitions", query, &answer); err != nil {
				return nil, err
			}
			for _, w := range answer.PagingInfo.WorkflowDefinitions {
				if w.Name == l.Name && (l.Path == "" || w.Script.Path == l.Path) && int64(w.CreateTime) >= since {
					found = append(found, match{string(w.Id), int64(w.CreateTime)})
				}
			}
			total, listed = int(answer.PagingInfo.TotalCount), len(answer.PagingInfo.WorkflowDefinitions)
		}
		if listed < pageSize || page*pageSize >= total {
			break
		}
	}
	slices.SortStableFunc(found, func(a, b match) int { return cmp.Compare(b.created, a.created) })
	ids := make([]string, len(found))
	for i, m := range found {
		ids[i] = m.id
	}
	return ids, nil
}

type gotNode struct {
	Node struct {
		Id   id
		Spec string
	}
}

// Dependencies implements draft.Submitter: GetNode.
func (c *Client) Dependencies(ctx context.Context, region, projectID, nodeID string) ([]string, error) {
	var answer gotNode
	if err := c.read(ctx, region, "GetNode", map[string]string{"Id": nodeID, "ProjectId": projectID}, &answer); err != nil {
		return nil, err
	}
	outputs, ok := flowspec.NodeDepends([]byte(answer.Node.Spec))
	if !ok {
		return nil, &draft.RemoteError{Code: "BadResponse", Message: "GetNode answered without the node's spec"}
	}
	return outputs, nil
}

// Fetch implements draft.Submitter: GetWorkflowDefinition with the nodes'
// code, then ListNodes by ContainerId to find inner nodes the definition
// lacks, read with GetNode.
func (c *Client) Fetch(ctx context.Context, region, projectID, workflowID string) ([]byte, [][]byte, error) {
	var def struct{ WorkflowDefinition struct{ Spec string } }
	if err := c.read(ctx, region, "GetWorkflowDefinition", map[string]string{"Id": workflowID, "ProjectId": projectID,
		"IncludeScriptContent": "true"}, &def); err != nil {
		return nil, nil, err
	}
	definition := []byte(def.WorkflowDefinition.Spec)
	doc, _, err := flowspec.Import(definition)
	if err != nil {
		return nil, nil, &draft.RemoteError{Code: "BadResponse", Message: "GetWorkflowDefinition answered with a spec FlowForm cannot read: " + clip(err.Error())}
	}
	var nodes [][]byte
	for page := 1; page <= maxPages; page++ {
		var answer nodeList
		if err := c.read(ctx, region, "ListNodes", map[string]string{"ProjectId": projectID, "ContainerId": workflowID,
			"PageNumber": strconv.Itoa(page), "PageSize": strconv.Itoa(pageSize)}, &answer); err != nil {
			return nil, nil, err
		}
		for _, n := range answer.PagingInfo.Nodes {
			if _, ok := doc.NodeIndex(string(n.Id)); ok {
				continue
			}
			var got gotNode
			if err := c.read(ctx, region, "GetNode", map[string]string{"Id": string(n.Id), "ProjectId": projectID}, &got); err != nil {
				return nil, nil, err
			}
			nodes = append(nodes, []byte(got.Node.Spec))
		}
		if len(answer.PagingInfo.Nodes) < pageSize || page*pageSize >= int(answer.PagingInfo.TotalCount) {
			break
		}
	}
	return definition, nodes, nil
}
