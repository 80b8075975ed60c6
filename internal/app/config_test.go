package app

import (
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    Config
		wantErr string
	}{
		{name: "auth header", env: map[string]string{"FLOWFORM_AUTH_HEADER": "X-Forwarded-Email"},
			want: Config{Addr: "127.0.0.1:8080", DB: "./data/flowform.db", Region: "cn-shanghai", Sandbox: "auto", DataWorksTimeout: 30 * time.Second, AuthHeader: "X-Forwarded-Email"}},
		{name: "defaults", want: Config{Addr: "127.0.0.1:8080", DB: "./data/flowform.db", Region: "cn-shanghai", Sandbox: "auto", DataWorksTimeout: 30 * time.Second}},
		{name: "env twins", env: map[string]string{"FLOWFORM_ADDR": ":9999", "FLOWFORM_DATAWORKS_ENDPOINT": "http://127.0.0.1:9000", "FLOWFORM_SANDBOX": "on", "FLOWFORM_PUBLIC_URL": "https://ff.example.com"},
			want: Config{Addr: ":9999", DB: "./data/flowform.db", Region: "cn-shanghai", Sandbox: "on", DataWorksTimeout: 30 * time.Second, DataWorksEndpoint: "http://127.0.0.1:9000", PublicURL: "https://ff.example.com"}},
		{name: "flag beats env", args: []string{"--region", "cn-beijing", "--db", "/tmp/x.db"}, env: map[string]string{"FLOWFORM_REGION": "eu-central-1"},
			want: Config{Addr: "127.0.0.1:8080", DB: "/tmp/x.db", Region: "cn-beijing", Sandbox: "auto", DataWorksTimeout: 30 * time.Second}},
		{name: "trusted proxies", args: []string{"--trusted-proxies", "10.0.0.0/8, 192.168.1.7"},
			want: Config{Addr: "127.0.0.1:8080", DB: "./data/flowform.db", Region: "cn-shanghai", Sandbox: "auto", DataWorksTimeout: 30 * time.Second, TrustedProxies: "10.0.0.0/8, 192.168.1.7"}},
		{name: "bad timeout", args: []string{"--dataworks-timeout", "5ms"}, wantErr: "--dataworks-timeout"},
		{name: "bad proxy", args: []string{"--trusted-proxies", "10.0.0.300"}, wantErr: "--trusted-proxies"},
		{name: "bad sandbox", args: []string{"--sandbox", "maybe"}, wantErr: "--sandbox"},
		{name: "bad endpoint", args: []string{"--dataworks-endpoint", "dataworks.local"}, wantErr: "--dataworks-endpoint"},
		{name: "bad env sandbox", env: map[string]string{"FLOWFORM_SANDBOX": "sometimes"}, wantErr: "--sandbox"},
		{name: "unknown flag", args: []string{"--port", "80"}, wantErr: "port"},
		{name: "stray argument", args: []string{"serve"}, wantErr: "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseConfig(tt.args, env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v\nwant %+v", got, err, tt.want)
			}
		})
	}
}

// TestDatabaseKinds: --db is PostgreSQL for a URL or libpq settings,
// else a SQLite path; the log never shows a PostgreSQL password.
func TestDatabaseKinds(t *testing.T) {
	tests := []struct {
		db       string
		postgres bool
		logged   string
	}{
		{"./data/flowform.db", false, "./data/flowform.db"},
		{"/var/lib/flowform/host=x.db", false, "/var/lib/flowform/host=x.db"},
		{"postgres://ff:s3cret@db:5432/flowform?sslmode=disable", true, "postgres://ff:REDACTED@db:5432/flowform?sslmode=disable"},
		{"postgresql://db/flowform?password=s3cret&sslmode=require", true, "postgresql://db/flowform?password=REDACTED&sslmode=require"},
		{"host=db dbname=flowform user=ff password=s3cret", true, "host=db dbname=flowform user=ff password=REDACTED"},
		{"dbname=flowform password='s3 cret' host=db", true, "dbname=flowform password=REDACTED host=db"},
	}
	for _, tt := range tests {
		if got := isPostgres(tt.db); got != tt.postgres {
			t.Errorf("isPostgres(%q) = %v", tt.db, got)
		}
		if got := dbForLog(tt.db); got != tt.logged || strings.Contains(got, "s3cret") || strings.Contains(got, "s3 cret") {
			t.Errorf("dbForLog(%q) = %q, want %q", tt.db, got, tt.logged)
		}
	}
}
