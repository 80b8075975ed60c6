package postgres

import (
	"testing"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/storetest"
)

// TestContract runs the draft.Store contract every adapter passes, each
// subtest on a database of its own.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) draft.Store {
		s, _ := open(t)
		return s
	})
}
