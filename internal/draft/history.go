package draft

import (
	"context"
	"time"

	"github.com/flowform/flowform/internal/flowspec"
)

// SessionGap ends an editing session: saves by one author further apart
// than this are shown as two sessions (lunch, a meeting), not one.
const SessionGap = 30 * time.Minute

// Entry is one line of a draft's history: an editing session (consecutive
// edits by one author, however many autosaves it took), a named version, a
// restore, or the creation.
//
// Sessions are grouped when history is read, not by rewriting revisions:
// every save stays a revision of its own, so each acknowledged autosave is
// durable the moment it is answered and the version guard (412) works as
// for any save.
type Entry struct {
	Kind        RevisionKind // KindEdit for a session
	First, Last RevisionInfo // its oldest and newest revision; the same one unless a session
	Saves       int
	// Changes are from the revision before First to Last; none for the
	// creation.
	Changes []flowspec.Change
}

// History lists a draft's history as entries, newest first.
func (s *Service) History(ctx context.Context, token string) ([]Entry, error) {
	rec, err := s.lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	revs, err := s.store.Revisions(ctx, rec.Key)
	if err != nil {
		return nil, storeErr(err)
	}
	entries := group(revs)
	// Each entry's "before" is the next (older) entry's end: read each
	// boundary revision once.
	read := map[int64]Revision{}
	revision := func(v int64) (Revision, error) {
		if r, ok := read[v]; ok {
			return r, nil
		}
		r, err := s.store.Revision(ctx, rec.Key, v)
		if err != nil {
			return r, storeErr(err)
		}
		read[v] = r
		return r, nil
	}
	for i := range entries {
		e := &entries[i]
		if e.First.Version <= 1 {
			continue
		}
		before, err := revision(e.First.Version - 1)
		if err != nil {
			return nil, err
		}
		after, err := revision(e.Last.Version)
		if err != nil {
			return nil, err
		}
		if e.Changes, err = revisionDiff(before, after); err != nil {
			return nil, err
		}
	}
	return entries, nil
}

// group folds revisions (newest first, as the store lists them) into
// entries, newest first: consecutive edits by one author, each within
// SessionGap of the one before, are one session; every other revision is
// an entry of its own.
func group(revs []RevisionInfo) []Entry {
	var out []Entry
	for i := len(revs) - 1; i >= 0; i-- {
		r := revs[i]
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.Kind == KindEdit && r.Kind == KindEdit && r.Author == last.Last.Author &&
				r.CreatedAt.Sub(last.Last.CreatedAt) <= SessionGap {
				last.Last = r
				last.Saves++
				continue
			}
		}
		out = append(out, Entry{Kind: r.Kind, First: r, Last: r, Saves: 1})
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
