package app

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Config is FlowForm's configuration: each flag has an environment twin
// FLOWFORM_<NAME> (dashes as underscores); a flag on the command line wins.
type Config struct {
	Addr              string
	DB                string
	Region            string
	DataWorksEndpoint string
	Sandbox           string
	PublicURL         string
	AuthHeader        string
	TrustedProxies    string // comma-separated CIDRs
	DataWorksTimeout  time.Duration
	MaxConnections    int // 0: derived from the descriptor limit

	// HTTPWriteTimeout bounds writing a reply (submit routes extend it to
	// what a DataWorks call may take); 60 s when zero. Not a flag: tests
	// shorten it to prove the extension.
	HTTPWriteTimeout time.Duration
}

// ParseConfig reads the server's flags from args over their FLOWFORM_*
// twins from getenv, and checks the values.
func ParseConfig(args []string, getenv func(string) string) (Config, error) {
	var cfg Config
	fs := flag.NewFlagSet("flowform", flag.ContinueOnError)
	err := parseFlags(fs, &cfg, args, getenv)
	return cfg, err
}

// backupConfig is `flowform backup`'s configuration.
type backupConfig struct {
	DB string
	To string
}

func parseBackupConfig(args []string, getenv func(string) string) (backupConfig, error) {
	var cfg backupConfig
	fs := flag.NewFlagSet("flowform backup", flag.ContinueOnError)
	fs.StringVar(&cfg.DB, "db", "./data/flowform.db", "SQLite file to copy (env FLOWFORM_DB)")
	fs.StringVar(&cfg.To, "to", "", "file to write the consistent copy to (must not exist)")
	if v := getenv("FLOWFORM_DB"); v != "" {
		cfg.DB = v
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.To == "" {
		return cfg, fmt.Errorf("backup: --to FILE is required")
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("backup: unexpected argument %q", fs.Arg(0))
	}
	return cfg, nil
}

// parseFlags registers the server flags on fs and parses env then args.
func parseFlags(fs *flag.FlagSet, cfg *Config, args []string, getenv func(string) string) error {
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "listen address")
	fs.StringVar(&cfg.DB, "db", "./data/flowform.db", "SQLite file (created with its folder), or a PostgreSQL URL (postgres://… or host=… dbname=…) shared by several instances")
	fs.StringVar(&cfg.Region, "region", "cn-shanghai", "default DataWorks region for new drafts")
	fs.StringVar(&cfg.DataWorksEndpoint, "dataworks-endpoint", "", "DataWorks base URL override, e.g. http://127.0.0.1:9000 (default: derived from the region)")
	fs.DurationVar(&cfg.DataWorksTimeout, "dataworks-timeout", 30*time.Second, "deadline of one DataWorks call (a call past it is recorded as unknown)")
	fs.StringVar(&cfg.Sandbox, "sandbox", "auto", "auto (sandbox when no Alibaba credentials resolve), on or off")
	fs.StringVar(&cfg.PublicURL, "public-url", "", "base URL used in share links (default: from the request)")
	fs.StringVar(&cfg.TrustedProxies, "trusted-proxies", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed (default: none, the direct peer is the client)")
	fs.IntVar(&cfg.MaxConnections, "max-connections", 0, "most client connections kept open; beyond it the oldest idle one is closed (default: three quarters of the open-file limit)")
	fs.StringVar(&cfg.AuthHeader, "auth-header", "", "trusted header carrying the user's identity, set by an SSO proxy (e.g. X-Forwarded-Email); authors are \"anonymous\" without it")

	// Environment first, so flags given on the command line override it.
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := "FLOWFORM_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(name); v != "" {
			if err := f.Value.Set(v); err != nil && envErr == nil {
				envErr = fmt.Errorf("%s: %w", name, err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return cfg.check()
}

func (c Config) check() error {
	switch c.Sandbox {
	case "auto", "on", "off":
	default:
		return fmt.Errorf("--sandbox: %q is not auto, on or off", c.Sandbox)
	}
	for name, v := range map[string]string{"--dataworks-endpoint": c.DataWorksEndpoint, "--public-url": c.PublicURL} {
		if v == "" {
			continue
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s: %q is not an http(s) URL", name, v)
		}
	}
	if c.DataWorksTimeout < time.Second || c.DataWorksTimeout > 10*time.Minute {
		return fmt.Errorf("--dataworks-timeout: %v is not between 1s and 10m", c.DataWorksTimeout)
	}
	if _, err := c.proxies(); err != nil {
		return err
	}
	if c.MaxConnections < 0 {
		return fmt.Errorf("--max-connections: %d is negative", c.MaxConnections)
	}
	if c.Region == "" {
		return fmt.Errorf("--region must not be empty")
	}
	return nil
}

// proxies parses --trusted-proxies.
func (c Config) proxies() ([]*net.IPNet, error) {
	var out []*net.IPNet
	for part := range strings.SplitSeq(c.TrustedProxies, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			if strings.Contains(part, ":") {
				part += "/128"
			} else {
				part += "/32"
			}
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies: %q is not an address or CIDR", part)
		}
		out = append(out, n)
	}
	return out, nil
}

// isPostgres reports whether --db names a PostgreSQL database (a URL or
// libpq key/value settings) rather than a SQLite file.
func isPostgres(db string) bool {
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		return true
	}
	for _, key := range []string{"host=", "dbname=", "user=", "port=", "sslmode="} {
		if strings.HasPrefix(db, key) || strings.Contains(db, " "+key) {
			return true
		}
	}
	return false
}

// dbForLog is --db as the log may show it: a PostgreSQL password left out.
func dbForLog(db string) string {
	if !isPostgres(db) {
		return db
	}
	if u, err := url.Parse(db); err == nil && u.Scheme != "" {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "REDACTED")
		}
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "REDACTED")
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	return passwordSetting.ReplaceAllString(db, "password=REDACTED")
}

var passwordSetting = regexp.MustCompile(`password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)`)
