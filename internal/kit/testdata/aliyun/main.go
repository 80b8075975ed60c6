// Command aliyun is a STAND-IN FOR THE OFFICIAL ALIYUN CLI, for tests only:
// the official CLI cannot be installed on the test machines (it is not on
// the Go module proxy, Debian or npm). It takes the official CLI's syntax
// for an RPC call,
//
//	aliyun dataworks-public <Action> --region <region> --<Param> <value>…
//
// (also --<Param>=<value>, and --<Param>-FILE <path> to read the value
// from a file, as the official CLI does), makes that call with
// alibaba-cloud-sdk-go, and prints the JSON answer as the official CLI
// does (keys sorted, tab-indented, numbers kept as sent). Like the
// official CLI it refuses --version for dataworks-public. It only ever
// calls $DATAWORKS_ENDPOINT (scheme://host, a test endpoint): never the
// real DataWorks. Credentials come from the SDK's default chain
// (ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "ERROR:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 2 || args[0] != "dataworks-public" || strings.HasPrefix(args[1], "-") {
		return fmt.Errorf("usage: aliyun dataworks-public <Action> --<Param> <value>… (this stand-in knows only dataworks-public)")
	}
	action, region := args[1], ""
	params := map[string]string{}
	for rest := args[2:]; len(rest) > 0; {
		arg := rest[0]
		rest = rest[1:]
		if !strings.HasPrefix(arg, "--") || len(arg) == 2 {
			return fmt.Errorf("unexpected argument %q: parameters are --<Param> <value>", arg)
		}
		key, value, inline := strings.Cut(arg[2:], "=")
		if !inline {
			if len(rest) == 0 {
				return fmt.Errorf("--%s needs a value", key)
			}
			value, rest = rest[0], rest[1:]
		}
		if name, ok := strings.CutSuffix(key, "-FILE"); ok {
			data, err := os.ReadFile(value)
			if err != nil {
				return err
			}
			key, value = name, string(data)
		}
		switch key {
		case "region":
			region = value
		case "version":
			// The official CLI checks --version against its metadata, which
			// does not list dataworks-public.
			return fmt.Errorf("unchecked version %s", value)
		default:
			if _, dup := params[key]; dup {
				return fmt.Errorf("--%s is given twice", key)
			}
			params[key] = value
		}
	}
	endpoint, err := url.Parse(os.Getenv("DATAWORKS_ENDPOINT"))
	if err != nil || endpoint.Host == "" {
		return fmt.Errorf("DATAWORKS_ENDPOINT must name the test endpoint (scheme://host); this stand-in never calls DataWorks itself")
	}
	client, err := sdk.NewClientWithOptions(region, sdk.NewConfig().WithScheme(requests.HTTPS), nil)
	if err != nil {
		return err
	}
	req := requests.NewCommonRequest()
	req.Scheme, req.Domain = endpoint.Scheme, endpoint.Host
	req.Product = "dataworks-public"
	req.Version = "2024-05-18" // the official CLI's default for dataworks-public
	req.ApiName = action
	// Reads are GET with a query, writes POST with a form body, as the
	// API's metadata places their parameters.
	read := strings.HasPrefix(action, "Get") || strings.HasPrefix(action, "List")
	req.Method = requests.POST
	if read {
		req.Method = requests.GET
	}
	for k, v := range params {
		if read {
			req.QueryParams[k] = v
		} else {
			req.FormParams[k] = v
		}
	}
	resp, err := client.ProcessCommonRequest(req)
	if err != nil {
		return err
	}
	fmt.Println(pretty(resp.GetHttpContentString()))
	return nil
}

// pretty formats an answer as the official CLI prints it: decoded with
// numbers kept as text, re-encoded with sorted keys, tabs, and no HTML
// escaping; text that is not JSON is printed as is.
func pretty(content string) string {
	var v any
	dec := json.NewDecoder(strings.NewReader(content))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return content
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "\t")
	if enc.Encode(v) != nil {
		return content
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
