// Package kit writes a delivery's calls as a request kit (temporary: replaced by the kit branch).
package kit

import "github.com/flowform/flowform/internal/draft"

// CLI is the aliyun CLI script for calls.
func CLI(region, projectID string, calls []draft.KitCall) string { return "" }

// Go is the Go program for calls.
func Go(region, domain, projectID string, calls []draft.KitCall) string { return "" }
