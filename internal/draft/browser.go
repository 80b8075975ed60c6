package draft

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"time"
)

// A browser's drafts. Each browser that opens a draft gets a random browser
// id (kept in an HTTP-only cookie by the web layer). The store maps a hash
// of the id to the drafts that browser opened, with each edit token sealed
// (AES-GCM) under a key derived from the id: like the drafts table, the
// table alone opens no draft, and only the browser holding the id can list
// its links.

// NewBrowserID returns a fresh browser id: 130 bits from crypto/rand.
func NewBrowserID() string { return rand.Text() }

// PlausibleBrowserID reports whether s could be a browser id; anything
// else is treated as no id at all.
func PlausibleBrowserID(s string) bool { return plausible(s) }

// Opened is a draft a browser opened. Deleted drafts are listed until
// their restore window ends, with RestoreUntil set.
type Opened struct {
	*Draft
	RestoreUntil time.Time // zero while the draft is live
}

// OpenedRecord is a browser's draft as the store keeps it.
type OpenedRecord struct {
	Record
	Sealed    []byte    // the edit token, sealed for the browser
	DeletedAt time.Time // zero while the draft is live
}

// BrowserStore keeps the drafts each browser opened.
type BrowserStore interface {
	// Remember records that the browser with browserKey opened the draft
	// with draftKey, whose edit token sealed holds. Remembering a draft
	// twice, or one that does not exist, changes nothing.
	Remember(ctx context.Context, browserKey, draftKey string, sealed []byte) error
	// Opened lists, in one query, the drafts the browser opened that are
	// live or were deleted after deletedAfter, the latest change first.
	Opened(ctx context.Context, browserKey string, deletedAfter time.Time) ([]OpenedRecord, error)
}

// Remember adds the draft with this edit token to the browser's list.
func (s *Service) Remember(ctx context.Context, browserID, token string) error {
	if !plausible(browserID) || !plausible(token) {
		return errNotFound
	}
	k := key(token)
	sealed, err := seal(browserID, k, token)
	if err != nil {
		return err
	}
	return s.store.Remember(ctx, key(browserID), k, sealed)
}

// Opened lists the drafts the browser opened: live ones, and deleted ones
// that can still be brought back, the latest change first.
func (s *Service) Opened(ctx context.Context, browserID string) ([]Opened, error) {
	if !plausible(browserID) {
		return nil, nil
	}
	recs, err := s.store.Opened(ctx, key(browserID), s.now().Add(-RestoreWindow))
	if err != nil {
		return nil, storeErr(err)
	}
	out := make([]Opened, 0, len(recs))
	for _, r := range recs {
		token, err := unseal(browserID, r.Key, r.Sealed)
		if err != nil {
			continue // not sealed for this browser: someone edited the table
		}
		d, err := s.toDraft(token, r.Record)
		if err != nil {
			return nil, err
		}
		o := Opened{Draft: d}
		if !r.DeletedAt.IsZero() {
			o.RestoreUntil = r.DeletedAt.Add(RestoreWindow)
		}
		out = append(out, o)
	}
	return out, nil
}

// sealer is AES-256-GCM under a key derived from the browser id (HMAC, so
// that it is not the stored hash of the id).
func sealer(browserID string) (cipher.AEAD, error) {
	mac := hmac.New(sha256.New, []byte(browserID))
	mac.Write([]byte("flowform browser seal"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal encrypts token for the browser, bound to the draft's key so a
// sealed token cannot be moved to another row.
func seal(browserID, draftKey, token string) ([]byte, error) {
	aead, err := sealer(browserID)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return aead.Seal(nonce, nonce, []byte(token), []byte(draftKey)), nil
}

var errNotSealed = errors.New("draft: token not sealed for this browser")

func unseal(browserID, draftKey string, sealed []byte) (string, error) {
	aead, err := sealer(browserID)
	if err != nil {
		return "", err
	}
	if len(sealed) < aead.NonceSize() {
		return "", errNotSealed
	}
	token, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(draftKey))
	if err != nil || key(string(token)) != draftKey {
		return "", errNotSealed
	}
	return string(token), nil
}
