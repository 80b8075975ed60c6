package dataworks

import (
	"strings"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/i18n"
)

// guidance says what the analyst should do about an outcome. Error codes
// are DataWorks knowledge, so this is decided here and copied through.
func guidance(req draft.SubmitRequest, res draft.SubmitResult, sandbox bool) i18n.Text {
	switch res.State {
	case draft.Succeeded:
		switch {
		case sandbox:
			return i18n.Text{EN: "Done in the sandbox: FlowForm's stand-in endpoint checked the signed request and the spec and recorded it. Nothing reached Alibaba Cloud, and no workflow exists in DataWorks. Run FlowForm with Alibaba Cloud credentials to submit for real.",
				ZH: "已在沙箱中完成：FlowForm 的替身端点校验了签名请求和 Spec 并做了记录。没有任何内容发送到阿里云，DataWorks 中也没有这个工作流。配置阿里云凭证后运行 FlowForm 才会真正提交。"}
		case req.Action != draft.CreateWorkflow:
			return i18n.Text{EN: "Done: the workflow in DataWorks now has this spec. Deploy it from Data Studio when ready.",
				ZH: "完成：DataWorks 中的工作流已更新为此 Spec。准备好后在 Data Studio 中发布。"}
		}
		return i18n.Text{EN: "Done: the workflow exists in DataWorks. Deploy it from Data Studio when ready.",
			ZH: "完成：工作流已在 DataWorks 中。准备好后在 Data Studio 中发布。"}
	case draft.Unknown:
		return i18n.Text{EN: "The outcome is unknown (no readable answer: a timeout, a gateway error or a lost connection): DataWorks may have executed the call. Look for the workflow in Data Studio before trying again; FlowForm will not retry on its own.",
			ZH: "结果未知（没有可读的应答：超时、网关错误或连接中断）：DataWorks 可能已执行该调用。重试前请先在 Data Studio 中查找该工作流；FlowForm 不会自动重试。"}
	}
	return errorGuidance(res.ErrorCode, res.Error)
}

func errorGuidance(code, message string) i18n.Text {
	switch {
	case code == "DNSFailure" || code == "ConnectFailed" || code == "TLSFailure":
		return i18n.Text{EN: "FlowForm could not reach DataWorks (" + code + "), so nothing was sent. Check the network, the proxy settings and --dataworks-endpoint; submitting again is safe.",
			ZH: "FlowForm 无法连接 DataWorks（" + code + "），因此未发送任何内容。请检查网络、代理设置和 --dataworks-endpoint；可以放心重新提交。"}
	case code == "UpdateNotApplied":
		return i18n.Text{EN: "DataWorks answered that the update did not succeed (Success=false): the workflow keeps its previous spec. Check in Data Studio that the workflow still exists and that you may edit it, then submit again.",
			ZH: "DataWorks 答复更新未成功（Success=false）：工作流保持原来的 Spec。请在 Data Studio 中确认该工作流仍存在且你有编辑权限，然后重新提交。"}
	case oldDataStudio(code, message):
		return i18n.Text{EN: "This workspace still uses the old Data Studio: the 2024-05-18 workflow operations need the new Data Studio. Ask the workspace admin to upgrade the workspace to the new Data Studio, then submit again; nothing was created.",
			ZH: "此工作空间仍在使用旧版数据开发（Data Studio）：2024-05-18 的工作流接口需要新版数据开发。请工作空间管理员将其升级到新版数据开发后再提交；未创建任何内容。"}
	case code == "Forbidden.Access" || code == "ResourceNotAuthorized.Api" || code == "Forbidden.Not.Server":
		return i18n.Text{EN: "DataWorks refused: the account lacks permission on this workspace, the workspace's edition or region does not offer this API, or the workspace is still on the old Data Studio (these operations need the new one). Ask the workspace admin; nothing was created.",
			ZH: "DataWorks 拒绝：账号在此工作空间没有权限，该版本/地域不提供此 API，或工作空间仍在使用旧版数据开发（这些接口需要新版）。请联系工作空间管理员；未创建任何内容。"}
	case code == "InvalidAccessKeyId.NotFound" || code == "SignatureDoesNotMatch" || code == "IncompleteSignature" ||
		strings.HasPrefix(code, "InvalidSecurityToken") || code == "InvalidTimeStamp.Expired" || code == "CredentialsUnavailable":
		return i18n.Text{EN: "The server's Alibaba Cloud credentials were rejected or could not be resolved (wrong AccessKey, secret or expired STS token). The operator must fix the credentials; nothing was created.",
			ZH: "服务器的阿里云凭证被拒绝或无法获取（AccessKey、密钥错误或 STS 令牌过期）。需由运维修正凭证；未创建任何内容。"}
	case strings.HasPrefix(code, "Throttling"):
		return i18n.Text{EN: "DataWorks is throttling requests; FlowForm retried with back-off. Wait a minute and submit again; nothing was created.",
			ZH: "DataWorks 正在限流；FlowForm 已退避重试。请稍等一分钟后再提交；未创建任何内容。"}
	case strings.HasPrefix(code, "InvalidParameter") || code == "58014884415":
		return i18n.Text{EN: "DataWorks rejected the spec as invalid; fix the draft (see the message) and submit again.",
			ZH: "DataWorks 认为 Spec 无效；请根据信息修正草稿后重新提交。"}
	}
	return i18n.Text{EN: "DataWorks answered with an error; nothing was created. Try again later, or contact DataWorks support with the RequestId.",
		ZH: "DataWorks 返回错误；未创建任何内容。请稍后重试，或带上 RequestId 联系 DataWorks 支持。"}
}

// oldDataStudio recognises a refusal because the workspace has not moved
// to the new Data Studio. DataWorks documents no code for it, so this
// reads the code and message for the product's names (unverified against
// the live service).
func oldDataStudio(code, message string) bool {
	refusal := false
	for _, prefix := range []string{"Forbidden", "NotSupport", "Unsupported", "OperationDenied", "Invalid.Tenant"} {
		refusal = refusal || strings.HasPrefix(code, prefix)
	}
	if !refusal {
		return false
	}
	text := strings.ToLower(message)
	for _, hint := range []string{"datastudio", "data studio", "new version", "新版", "数据开发"} {
		if strings.Contains(text, hint) {
			return true
		}
	}
	return false
}
