// Package storetest is the contract every draft.Store adapter must pass.
// An adapter's tests call Run with a function that opens a fresh, empty
// store; the suite then exercises, through the interface only, what the
// domain (package draft) relies on: compare-and-swap saves, revisions,
// soft delete and purge, submissions and their steps, deliveries, leases
// and the browsers' lists.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
)

// Run runs the draft.Store contract against fresh stores made by open
// (each call a new, empty database). open should register the store's
// cleanup with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) draft.Store) {
	t.Run("Health", func(t *testing.T) { testHealth(t, open) })
	t.Run("Drafts", func(t *testing.T) { testDrafts(t, open) })
	t.Run("Update", func(t *testing.T) { testUpdate(t, open) })
	t.Run("Revisions", func(t *testing.T) { testRevisions(t, open) })
	t.Run("Times", func(t *testing.T) { testTimes(t, open) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, open) })
	t.Run("Submissions", func(t *testing.T) { testSubmissions(t, open) })
	t.Run("Resume", func(t *testing.T) { testResume(t, open) })
	t.Run("Steps", func(t *testing.T) { testSteps(t, open) })
	t.Run("Delivery", func(t *testing.T) { testDelivery(t, open) })
	t.Run("Leases", func(t *testing.T) { testLeases(t, open) })
	t.Run("Browsers", func(t *testing.T) { testBrowsers(t, open) })
}

func testHealth(t *testing.T, open func(t *testing.T) draft.Store) {
	s := open(t)
	if err := s.Health(context.Background()); err != nil {
		t.Fatalf("Health of a fresh store = %v, want nil", err)
	}
}

// base is the suite's clock origin: a time with milliseconds, in UTC, as
// the domain passes times (UTC, truncated to the millisecond).
var base = time.Date(2026, 11, 27, 12, 0, 0, 123_000_000, time.UTC)

// at is base plus d.
func at(d time.Duration) time.Time { return base.Add(d) }

// newKey returns a fresh key shaped like the domain's: the hex SHA-256 of
// a random token.
func newKey() string {
	sum := sha256.Sum256([]byte(rand.Text()))
	return hex.EncodeToString(sum[:])
}

// spec returns a canonical FlowSpec whose description carries tag, as
// the domain stores it.
func spec(tag string) []byte {
	doc := flowspec.Blank("contract_test")
	f := doc.Form()
	f.Description = tag
	doc.Apply(f)
	return doc.Canonical()
}

// newRecord returns version 1 of a new draft, as draft.Service.Create
// fills it.
func newRecord(tag string) draft.Record {
	return draft.Record{
		Key: newKey(), ViewKey: newKey(), Version: 1,
		ProjectID: "123", Region: "cn-shanghai", Spec: spec(tag),
		Author: "alice@example.com", CreatedAt: base, UpdatedAt: base, Kind: draft.KindCreate,
	}
}

// create stores a new draft made by newRecord and returns it.
func create(t *testing.T, s draft.Store, tag string) draft.Record {
	t.Helper()
	rec := newRecord(tag)
	if err := s.Create(context.Background(), rec); err != nil {
		t.Fatalf("Create: %v", err)
	}
	return rec
}

// next returns rec's next revision as draft.Service saves it.
func next(rec draft.Record, tag, author string, d time.Duration) draft.Record {
	n := rec
	n.Version = rec.Version + 1
	n.Spec, n.Author = spec(tag), author
	n.Kind, n.Message, n.RestoredFrom = draft.KindEdit, "", 0
	n.UpdatedAt = rec.UpdatedAt.Add(d)
	n.Delivery = nil
	return n
}

// save stores rec's next revision and returns it.
func save(t *testing.T, s draft.Store, rec draft.Record, tag string) draft.Record {
	t.Helper()
	n := next(rec, tag, "bob", time.Second)
	if err := s.Update(context.Background(), rec.Version, n); err != nil {
		t.Fatalf("Update %d→%d: %v", rec.Version, n.Version, err)
	}
	return n
}

// get reads a live draft, failing the test if it cannot.
func get(t *testing.T, s draft.Store, key string) draft.Record {
	t.Helper()
	r, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	return r
}

// sameRecord compares what the store keeps of a draft (not the save's
// Kind, Message, RestoredFrom or Delivery, which go to other places).
func sameRecord(got, want draft.Record) error {
	switch {
	case got.Key != want.Key, got.ViewKey != want.ViewKey, got.ViewSeq != want.ViewSeq, got.Version != want.Version,
		got.ProjectID != want.ProjectID, got.Region != want.Region, got.Author != want.Author:
	case !bytes.Equal(got.Spec, want.Spec):
	case !sameTime(got.CreatedAt, want.CreatedAt), !sameTime(got.UpdatedAt, want.UpdatedAt):
	default:
		return nil
	}
	return fmt.Errorf("record differs:\n got key=%.8s view=%.8s seq=%d v=%d project=%q region=%q author=%q created=%v updated=%v spec=%.60q\nwant key=%.8s view=%.8s seq=%d v=%d project=%q region=%q author=%q created=%v updated=%v spec=%.60q",
		got.Key, got.ViewKey, got.ViewSeq, got.Version, got.ProjectID, got.Region, got.Author, got.CreatedAt, got.UpdatedAt, got.Spec,
		want.Key, want.ViewKey, want.ViewSeq, want.Version, want.ProjectID, want.Region, want.Author, want.CreatedAt, want.UpdatedAt, want.Spec)
}

// sameTime reports whether got is want, read back in UTC (zero stays zero).
func sameTime(got, want time.Time) bool {
	if want.IsZero() {
		return got.IsZero()
	}
	return got.Equal(want) && got.Location() == time.UTC
}

// wantErr fails the test unless err is target.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}

// noErr fails the test on an error.
func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
