// Package storehealth is what a store adapter (internal/sqlite,
// internal/postgres) knows about its database's health, kept one way for
// both: damaged (sticky: no more writes go into it), or the last write
// failed for lack of space or because the database was locked (both
// cleared by the next write that succeeds).
package storehealth

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/flowform/flowform/internal/draft"
)

// Health tracks a store's database; the zero value is healthy.
type Health struct {
	mu      sync.Mutex
	corrupt error
	last    error // full or locked at the last write
}

// Err is nil while the database is usable.
func (h *Health) Err() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.corrupt != nil {
		return h.corrupt
	}
	return h.last
}

// Corrupt is the damage found, or nil: a damaged store takes no writes.
func (h *Health) Corrupt() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.corrupt
}

// Damaged records damage found in data the store returned (where names
// the database for the log).
func (h *Health) Damaged(where string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.corrupt == nil {
		h.corrupt = fmt.Errorf("%s: %w", where, err)
	}
}

// Wrote records that a write succeeded: space is available again.
func (h *Health) Wrote() {
	h.mu.Lock()
	h.last = nil
	h.mu.Unlock()
}

// Fail names the operation that failed and the database, and records and
// marks storage trouble as kind (draft.ErrCorrupt, draft.ErrStorageFull,
// draft.ErrStorageBusy, or nil for none) so that callers can tell the user
// what is wrong. Domain errors and cancellations pass through as they are.
func (h *Health) Fail(where, op string, err, kind error) error {
	if err == nil || errors.Is(err, draft.ErrNotFound) || errors.Is(err, draft.ErrConflict) || errors.Is(err, draft.ErrPending) ||
		errors.Is(err, draft.ErrNotResumable) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if kind == nil {
		return fmt.Errorf("%s %s: %w", op, where, err)
	}
	wrapped := fmt.Errorf("%s %s: %w: %w", op, where, kind, err)
	if errors.Is(err, kind) {
		wrapped = fmt.Errorf("%s %s: %w", op, where, err)
	}
	h.mu.Lock()
	switch kind {
	case draft.ErrCorrupt:
		if h.corrupt == nil {
			h.corrupt = wrapped
		}
	case draft.ErrStorageFull, draft.ErrStorageBusy:
		h.last = wrapped
	}
	h.mu.Unlock()
	return wrapped
}
