package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/storetest"
)

// TestContract runs the draft.Store contract against fresh SQLite files.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) draft.Store {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "f.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	})
}
