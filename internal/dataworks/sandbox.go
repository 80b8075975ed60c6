package dataworks

import (
	"os"
	"path/filepath"

	"github.com/flowform/flowform/internal/dataworks/dataworkstest"
)

// NewSandbox runs the fake DataWorks endpoint in-process on a random
// loopback port with generated credentials and returns a client for it:
// submissions are validated and recorded but never reach Alibaba Cloud.
func NewSandbox() (*Client, func() error, error) {
	fake, err := dataworkstest.NewWithRandomCredentials()
	if err != nil {
		return nil, nil, err
	}
	c := NewWithCredentials(Config{Endpoint: fake.URL, Sandbox: true}, fake.AccessKeyID, fake.Secret, "")
	return c, fake.Close, nil
}

// CredentialsConfigured reports whether the default credentials chain has
// a source to read: the environment variables, the aliyun CLI profile or
// the credentials file. (An ECS RAM role cannot be detected without a
// network call; on ECS, run with --sandbox=off.)
func CredentialsConfigured(getenv func(string) string) bool {
	for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_ROLE_ARN"} {
		if getenv(k) != "" {
			return true
		}
	}
	files := []string{getenv("ALIBABA_CLOUD_CREDENTIALS_FILE")}
	if home, err := os.UserHomeDir(); err == nil {
		files = append(files, filepath.Join(home, ".aliyun", "config.json"), filepath.Join(home, ".alibabacloud", "credentials"))
	}
	for _, f := range files {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err == nil {
			return true
		}
	}
	return false
}
