package main

import (
	"flag"
	"fmt"
	"net/url"
	"strings"
)

// config is FlowForm's configuration: each flag has an environment twin
// FLOWFORM_<NAME> (dashes as underscores); a flag on the command line wins.
type config struct {
	Addr              string
	DB                string
	Region            string
	DataWorksEndpoint string
	Sandbox           string
	PublicURL         string
}

func parseConfig(args []string, getenv func(string) string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("flowform", flag.ContinueOnError)
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "listen address")
	fs.StringVar(&cfg.DB, "db", "./data/flowform.db", "SQLite file (created with its folder)")
	fs.StringVar(&cfg.Region, "region", "cn-shanghai", "default DataWorks region for new drafts")
	fs.StringVar(&cfg.DataWorksEndpoint, "dataworks-endpoint", "", "DataWorks base URL override, e.g. http://127.0.0.1:9000 (default: derived from the region)")
	fs.StringVar(&cfg.Sandbox, "sandbox", "auto", "auto (sandbox when no Alibaba credentials resolve), on or off")
	fs.StringVar(&cfg.PublicURL, "public-url", "", "base URL used in share links (default: from the request)")

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
		return cfg, envErr
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return cfg, cfg.check()
}

func (c config) check() error {
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
	if c.Region == "" {
		return fmt.Errorf("--region must not be empty")
	}
	return nil
}
