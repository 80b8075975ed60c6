package dataworks

import (
	"slices"
	"strings"
)

// hosts is the DataWorks endpoint of each region, copied from the current
// generated SDK (alibabacloud-go/dataworks-public-20240518 v8.4.0,
// client/client.go EndpointMap), which the aliyun CLI also follows. It is
// the one region table: the client, the request kit and the README use it.
var hosts = map[string]string{
	"ap-northeast-1":              "dataworks.ap-northeast-1.aliyuncs.com",
	"ap-northeast-2-pop":          "dataworks.aliyuncs.com",
	"ap-south-1":                  "dataworks.aliyuncs.com",
	"ap-southeast-1":              "dataworks.ap-southeast-1.aliyuncs.com",
	"ap-southeast-2":              "dataworks.aliyuncs.com",
	"ap-southeast-3":              "dataworks.ap-southeast-3.aliyuncs.com",
	"ap-southeast-5":              "dataworks.ap-southeast-5.aliyuncs.com",
	"cn-beijing":                  "dataworks.cn-beijing.aliyuncs.com",
	"cn-beijing-finance-1":        "dataworks.cn-beijing-finance-1.aliyuncs.com",
	"cn-beijing-finance-pop":      "dataworks.aliyuncs.com",
	"cn-beijing-gov-1":            "dataworks.aliyuncs.com",
	"cn-beijing-nu16-b01":         "dataworks.aliyuncs.com",
	"cn-chengdu":                  "dataworks.cn-chengdu.aliyuncs.com",
	"cn-edge-1":                   "dataworks.aliyuncs.com",
	"cn-fujian":                   "dataworks.aliyuncs.com",
	"cn-haidian-cm12-c01":         "dataworks.aliyuncs.com",
	"cn-hangzhou":                 "dataworks.cn-hangzhou.aliyuncs.com",
	"cn-hangzhou-bj-b01":          "dataworks.aliyuncs.com",
	"cn-hangzhou-finance":         "dataworks.aliyuncs.com",
	"cn-hangzhou-internal-prod-1": "dataworks.aliyuncs.com",
	"cn-hangzhou-internal-test-1": "dataworks.aliyuncs.com",
	"cn-hangzhou-internal-test-2": "dataworks.aliyuncs.com",
	"cn-hangzhou-internal-test-3": "dataworks.aliyuncs.com",
	"cn-hangzhou-test-306":        "dataworks.aliyuncs.com",
	"cn-hongkong":                 "dataworks.cn-hongkong.aliyuncs.com",
	"cn-hongkong-finance-pop":     "dataworks.aliyuncs.com",
	"cn-huhehaote":                "dataworks.aliyuncs.com",
	"cn-huhehaote-nebula-1":       "dataworks.aliyuncs.com",
	"cn-north-2-gov-1":            "dataworks.cn-north-2-gov-1.aliyuncs.com",
	"cn-qingdao":                  "dataworks.aliyuncs.com",
	"cn-qingdao-nebula":           "dataworks.aliyuncs.com",
	"cn-shanghai":                 "dataworks.cn-shanghai.aliyuncs.com",
	"cn-shanghai-et15-b01":        "dataworks.aliyuncs.com",
	"cn-shanghai-et2-b01":         "dataworks.aliyuncs.com",
	"cn-shanghai-finance-1":       "dataworks.cn-shanghai-finance-1.aliyuncs.com",
	"cn-shanghai-inner":           "dataworks.aliyuncs.com",
	"cn-shanghai-internal-test-1": "dataworks.aliyuncs.com",
	"cn-shenzhen":                 "dataworks.cn-shenzhen.aliyuncs.com",
	"cn-shenzhen-finance-1":       "dataworks.cn-shenzhen-finance-1.aliyuncs.com",
	"cn-shenzhen-inner":           "dataworks.aliyuncs.com",
	"cn-shenzhen-st4-d01":         "dataworks.aliyuncs.com",
	"cn-shenzhen-su18-b01":        "dataworks.aliyuncs.com",
	"cn-wuhan":                    "dataworks.aliyuncs.com",
	"cn-wulanchabu":               "dataworks.cn-wulanchabu.aliyuncs.com",
	"cn-yushanfang":               "dataworks.aliyuncs.com",
	"cn-zhangbei":                 "dataworks.aliyuncs.com",
	"cn-zhangbei-na61-b01":        "dataworks.aliyuncs.com",
	"cn-zhangjiakou":              "dataworks.cn-zhangjiakou.aliyuncs.com",
	"cn-zhangjiakou-na62-a01":     "dataworks.aliyuncs.com",
	"cn-zhengzhou-nebula-1":       "dataworks.aliyuncs.com",
	"eu-central-1":                "dataworks.eu-central-1.aliyuncs.com",
	"eu-west-1":                   "dataworks.eu-west-1.aliyuncs.com",
	"eu-west-1-oxs":               "dataworks.aliyuncs.com",
	"me-east-1":                   "dataworks.me-east-1.aliyuncs.com",
	"rus-west-1-pop":              "dataworks.aliyuncs.com",
	"us-east-1":                   "dataworks.us-east-1.aliyuncs.com",
	"us-west-1":                   "dataworks.us-west-1.aliyuncs.com",
}

// centralHost serves the regions the table sends to the central endpoint.
const centralHost = "dataworks.aliyuncs.com"

// Domain is the DataWorks host of a region: the table's entry, else the
// documented pattern dataworks.<region>.aliyuncs.com.
func Domain(region string) string {
	if h, ok := hosts[region]; ok {
		return h
	}
	return "dataworks." + region + ".aliyuncs.com"
}

// Regions lists the public regions of the table, sorted, for suggestions:
// those with a regional host plus the public ones served centrally (the
// table's other entries are Alibaba-internal zones).
func Regions() []string {
	var out []string
	for r, h := range hosts {
		if h != centralHost || slices.Contains(publicCentral, r) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, strings.Compare)
	return out
}

// publicCentral are the public regions whose calls go to the central host.
var publicCentral = []string{"ap-south-1", "ap-southeast-2", "cn-huhehaote", "cn-qingdao", "cn-wuhan", "cn-zhangbei"}
