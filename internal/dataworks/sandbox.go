package dataworks

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/flowform/flowform/internal/dataworks/dataworkstest"
)

// SandboxProjectID is the workspace whose demo workflows the sandbox
// holds, for "Open from DataWorks".
const SandboxProjectID = dataworkstest.SandboxProjectID

// NewSandbox runs the fake DataWorks endpoint in-process on a random
// loopback port with generated credentials, holding a few demo workflows,
// and returns a client for it: submissions are validated and recorded but
// never reach Alibaba Cloud.
//
// With a stateFile, the sandbox's DataWorks survives restarts: its
// workflows, nodes and id counter are saved there after every change and
// read back on the next start, and the demo workflows are seeded only when
// the file does not exist yet — so the Ids FlowForm's database remembers
// still name the same objects. A file that cannot be read or restored is
// left alone and NewSandbox fails. With "", the sandbox starts afresh.
func NewSandbox(cfg Config, stateFile string) (*Client, func() error, error) {
	fake, err := dataworkstest.NewWithRandomCredentials()
	if err != nil {
		return nil, nil, err
	}
	restored := false
	if stateFile != "" {
		if restored, err = fake.PersistTo(stateFile); err != nil {
			fake.Close()
			return nil, nil, fmt.Errorf("sandbox state: %w (move the file away to start the sandbox afresh)", err)
		}
	}
	if !restored {
		if err := fake.SeedSandbox(); err != nil {
			fake.Close()
			return nil, nil, err
		}
	}
	cfg.Endpoint, cfg.Sandbox = fake.URL, true
	return NewWithCredentials(cfg, fake.AccessKeyID, fake.Secret, ""), fake.Close, nil
}

// SandboxStateFile is where the sandbox keeps its state for the database
// at dbPath: beside it, as sandbox-dataworks.json. The file holds sandbox
// data only — no credentials: those are generated afresh at every start,
// which is fine because the client and the fake share them in-process.
func SandboxStateFile(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), "sandbox-dataworks.json")
}

// CredentialSource names the first source of the default credentials chain
// that is configured — the environment variables, an OIDC role, the aliyun
// CLI profile, the credentials file or a credentials URI — or "" when none
// is. (An ECS RAM role cannot be detected without a network call; on ECS,
// run with --sandbox=off.) It reads the environment only through getenv.
func CredentialSource(getenv func(string) string) string {
	switch {
	case getenv("ALIBABA_CLOUD_ACCESS_KEY_ID") != "":
		if getenv("ALIBABA_CLOUD_SECURITY_TOKEN") != "" {
			return "environment (ALIBABA_CLOUD_ACCESS_KEY_ID with an STS token)"
		}
		return "environment (ALIBABA_CLOUD_ACCESS_KEY_ID)"
	case getenv("ALIBABA_CLOUD_ROLE_ARN") != "" && getenv("ALIBABA_CLOUD_OIDC_TOKEN_FILE") != "":
		return "OIDC role (ALIBABA_CLOUD_ROLE_ARN)"
	}
	home := getenv("HOME")
	if home != "" && getenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED") != "true" && exists(filepath.Join(home, ".aliyun", "config.json")) {
		return "aliyun CLI profile (~/.aliyun/config.json)"
	}
	if f := getenv("ALIBABA_CLOUD_CREDENTIALS_FILE"); f != "" && exists(f) {
		return "credentials file (ALIBABA_CLOUD_CREDENTIALS_FILE)"
	}
	if home != "" && exists(filepath.Join(home, ".alibabacloud", "credentials")) {
		return "credentials file (~/.alibabacloud/credentials)"
	}
	if getenv("ALIBABA_CLOUD_CREDENTIALS_URI") != "" {
		return "credentials URI (ALIBABA_CLOUD_CREDENTIALS_URI)"
	}
	return ""
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
