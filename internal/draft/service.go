package draft

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/flowform/flowform/internal/flowspec"
)

// Service is the draft domain's API.
type Service struct {
	store          Store
	now            func() time.Time
	defaultRegion  string
	submitter      Submitter
	unavailableWhy string // why there is no submitter
	parsed         parsedSpecs
	runs           sync.WaitGroup    // deliveries in progress
	finding        sync.Mutex        // lookups that settle an unknown create
	adopted        map[string]string // workflow id → the draft that adopted it, guarded by finding
	instance       string            // this process, owner of the deliveries it runs
}

// WithSubmitter enables submission through sub.
func (s *Service) WithSubmitter(sub Submitter) *Service {
	s.submitter = sub
	return s
}

// WithoutSubmitter records why no submitter could be built: submitting
// then answers that reason, instead of the routes vanishing.
func (s *Service) WithoutSubmitter(why string) *Service {
	s.submitter, s.unavailableWhy = nil, why
	return s
}

// Health is nil while the store can read and write.
func (s *Service) Health(ctx context.Context) error { return s.store.Health(ctx) }

// DatabaseKind names the database drafts are kept in ("sqlite", "postgres").
func (s *Service) DatabaseKind() string { return s.store.Kind() }

// NewService returns a service over store. defaultRegion is used for drafts
// created without one.
func NewService(store Store, defaultRegion string, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now, defaultRegion: defaultRegion, adopted: map[string]string{}, instance: newInstanceID()}
}

var regionPattern = regexp.MustCompile(`^[a-z]{2,4}(-[a-z0-9]+){1,4}$`)

// check validates an input's metadata and fills defaults. The spec itself
// may be invalid: a draft is work in progress.
func (s *Service) check(in *Input) error {
	if in.Spec == nil {
		in.Spec = flowspec.Blank("new_workflow")
	}
	if in.Region == "" {
		in.Region = s.defaultRegion
	}
	if !regionPattern.MatchString(in.Region) {
		return invalid("region: %q is not a region ID such as cn-shanghai", "region：「%s」不是地域 ID，例如 cn-shanghai", in.Region)
	}
	if f := in.Spec.CheckLimits(); f != nil {
		return &Error{Code: Invalid, Message: f.Message}
	}
	in.ProjectID = strings.TrimSpace(in.ProjectID)
	if f := flowspec.CheckProjectID(in.ProjectID); f != nil {
		return &Error{Code: Invalid, Message: f.Message}
	}
	return nil
}

// Create stores a new draft as version 1.
func (s *Service) Create(ctx context.Context, in Input, author string) (*Draft, error) {
	if err := s.check(&in); err != nil {
		return nil, err
	}
	return s.create(ctx, in, author, nil)
}

// create stores a checked input as a new draft; dl is the workflow it was
// opened from, if any.
func (s *Service) create(ctx context.Context, in Input, author string, dl *Delivery) (*Draft, error) {
	token := newEditToken()
	now := s.now().UTC().Truncate(time.Millisecond)
	rec := Record{
		Key: key(token), ViewKey: key(viewToken(token, 0)), Version: 1,
		ProjectID: in.ProjectID, Region: in.Region, Spec: in.Spec.Canonical(),
		Author: author, CreatedAt: now, UpdatedAt: now, Kind: KindCreate, Delivery: dl,
	}
	if err := s.store.Create(ctx, rec); err != nil {
		return nil, err
	}
	return s.toDraft(token, rec)
}

// Get reads a draft through its edit token.
func (s *Service) Get(ctx context.Context, token string) (*Draft, error) {
	rec, err := s.lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	return s.toDraft(token, rec)
}

// View reads a draft through its view token. The result carries no edit
// token.
func (s *Service) View(ctx context.Context, viewTok string) (*Draft, error) {
	if !plausible(viewTok) {
		return nil, errNotFound
	}
	rec, err := s.store.GetByView(ctx, key(viewTok))
	if err != nil {
		return nil, storeErr(err)
	}
	d, err := s.toDraft("", rec)
	if err != nil {
		return nil, err
	}
	d.ViewToken = viewTok
	return d, nil
}

func (s *Service) lookup(ctx context.Context, token string) (Record, error) {
	if !plausible(token) {
		return Record{}, errNotFound
	}
	rec, err := s.store.Get(ctx, key(token))
	return rec, storeErr(err)
}

func storeErr(err error) error {
	if errors.Is(err, ErrNotFound) {
		return errNotFound
	}
	return err
}

// Update saves in as the next version if the draft is still at expected;
// otherwise it fails with a Conflict error that carries the current draft.
func (s *Service) Update(ctx context.Context, token string, expected int64, in Input, author string) (*Draft, error) {
	return s.update(ctx, token, expected, in, author, saveKind{kind: KindEdit})
}

// SaveVersion saves in as the next version, like Update, and names it: a
// version the analyst chose to keep, with an optional message. A stale
// expected is a Conflict, exactly as for Update.
func (s *Service) SaveVersion(ctx context.Context, token string, expected int64, in Input, message, author string) (*Draft, error) {
	return s.update(ctx, token, expected, in, author, saveKind{kind: KindVersion, message: strings.TrimSpace(message)})
}

// checkMessage holds a version message to one short line of visible text.
func checkMessage(m string) error {
	if n := utf8.RuneCountInString(m); n > MaxMessage {
		return invalid("version message: %d characters; at most %d", "版本说明：%d 个字符；最多 %d 个", n, MaxMessage)
	}
	for _, r := range m {
		// Cc and Cf: control, bidirectional-control and invisible format characters.
		if unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) {
			return invalid("version message: character %U is not allowed", "版本说明：不允许字符 %U", r)
		}
	}
	return nil
}

// saveKind is what a save records about itself on its revision.
type saveKind struct {
	kind         RevisionKind
	message      string
	restoredFrom int64
}

func (s *Service) update(ctx context.Context, token string, expected int64, in Input, author string, k saveKind) (*Draft, error) {
	rec, err := s.lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	if in.KeepProjectID {
		in.ProjectID = rec.ProjectID
	}
	if in.KeepRegion {
		in.Region = rec.Region
	}
	if err := s.check(&in); err != nil {
		return nil, err
	}
	if err := checkMessage(k.message); err != nil {
		return nil, err
	}
	spec := in.Spec.Canonical()
	// The bytes were just made from this document (a fixed point of the
	// encoder): the saved draft is read back without parsing them again.
	s.parsed.remember(spec, in.Spec.Clone())
	return s.save(ctx, token, rec, expected, in.ProjectID, in.Region, spec, author, k)
}

// save writes the next revision of rec, guarded by expected.
func (s *Service) save(ctx context.Context, token string, rec Record, expected int64, projectID, region string, spec []byte, author string, k saveKind) (*Draft, error) {
	if rec.Version != expected {
		return nil, s.conflict(token, rec, expected)
	}
	next := rec
	next.Version = expected + 1
	next.ProjectID, next.Region, next.Spec, next.Author = projectID, region, spec, author
	next.Kind, next.Message, next.RestoredFrom = k.kind, k.message, k.restoredFrom
	next.UpdatedAt = s.now().UTC().Truncate(time.Millisecond)
	switch err := s.store.Update(ctx, expected, next); {
	case errors.Is(err, ErrConflict):
		current, gerr := s.store.Get(ctx, rec.Key)
		if gerr != nil {
			return nil, storeErr(gerr)
		}
		return nil, s.conflict(token, current, expected)
	case err != nil:
		return nil, storeErr(err)
	}
	return s.toDraft(token, next)
}

func (s *Service) conflict(token string, current Record, expected int64) error {
	d, err := s.toDraft(token, current)
	if err != nil {
		return err
	}
	return &Error{Code: Conflict, Current: d, Message: conflictMessage(expected, current.Version)}
}

// RotateView replaces the view token; links with the old one stop working.
func (s *Service) RotateView(ctx context.Context, token string) (*Draft, error) {
	rec, err := s.lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	rec.ViewSeq++
	rec.ViewKey = key(viewToken(token, rec.ViewSeq))
	if err := s.store.SetView(ctx, rec.Key, rec.ViewKey, rec.ViewSeq); err != nil {
		return nil, storeErr(err)
	}
	return s.toDraft(token, rec)
}

// Revisions lists a draft's revisions, newest first.
func (s *Service) Revisions(ctx context.Context, token string) ([]RevisionInfo, error) {
	rec, err := s.lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	revs, err := s.store.Revisions(ctx, rec.Key)
	return revs, storeErr(err)
}

// Revision reads one revision.
func (s *Service) Revision(ctx context.Context, token string, version int64) (Revision, error) {
	rec, err := s.lookup(ctx, token)
	if err != nil {
		return Revision{}, err
	}
	rev, err := s.store.Revision(ctx, rec.Key, version)
	if errors.Is(err, ErrNotFound) {
		return Revision{}, noRevision(version, rec.Version)
	}
	return rev, err
}

// Diff lists the field-level changes from revision from to revision to;
// to = 0 means the current version.
func (s *Service) Diff(ctx context.Context, token string, from, to int64) ([]flowspec.Change, error) {
	a, err := s.Revision(ctx, token, from)
	if err != nil {
		return nil, err
	}
	if to == 0 {
		rec, err := s.lookup(ctx, token)
		if err != nil {
			return nil, err
		}
		to = rec.Version
	}
	b, err := s.Revision(ctx, token, to)
	if err != nil {
		return nil, err
	}
	return revisionDiff(a, b)
}

// Restore saves the content of an old revision as a new one; history is
// never rewritten. expected guards against restoring over someone's save;
// 0 means "whatever the current version is".
func (s *Service) Restore(ctx context.Context, token string, version, expected int64, author string) (*Draft, error) {
	rec, err := s.lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	rev, err := s.store.Revision(ctx, rec.Key, version)
	if errors.Is(err, ErrNotFound) {
		return nil, noRevision(version, rec.Version)
	} else if err != nil {
		return nil, err
	}
	if expected == 0 {
		expected = rec.Version
	}
	return s.save(ctx, token, rec, expected, rev.ProjectID, rev.Region, rev.Spec, author, saveKind{kind: KindRestore, restoredFrom: version})
}

// Duplicate creates a new draft holding a copy of this one's current
// content ("duplicate with another trigger").
func (s *Service) Duplicate(ctx context.Context, token, author string) (*Draft, error) {
	d, err := s.Get(ctx, token)
	if err != nil {
		return nil, err
	}
	return s.Create(ctx, Input{ProjectID: d.ProjectID, Region: d.Region, Spec: d.Spec}, author)
}

// Delete soft-deletes a draft; it can be brought back within RestoreWindow.
func (s *Service) Delete(ctx context.Context, token string) (restoreUntil time.Time, err error) {
	rec, err := s.lookup(ctx, token)
	if err != nil {
		return time.Time{}, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	if err := s.store.Delete(ctx, rec.Key, now); err != nil {
		return time.Time{}, storeErr(err)
	}
	return now.Add(RestoreWindow), nil
}

// Undelete brings back a draft deleted within RestoreWindow.
func (s *Service) Undelete(ctx context.Context, token string) (*Draft, error) {
	if !plausible(token) {
		return nil, errNotFound
	}
	if err := s.store.Undelete(ctx, key(token), s.now().Add(-RestoreWindow)); err != nil {
		return nil, storeErr(err)
	}
	return s.Get(ctx, token)
}

// Purge removes drafts deleted more than RestoreWindow ago.
func (s *Service) Purge(ctx context.Context) (int, error) {
	return s.store.Purge(ctx, s.now().Add(-RestoreWindow))
}

// toDraft opens a stored record. Stored specs are canonical JSON, so one
// that does not parse was damaged on disk: the store is told, and stops
// taking writes.
func (s *Service) toDraft(token string, rec Record) (*Draft, error) {
	doc, err := s.parsed.parse(rec.Spec)
	if err != nil {
		damage := fmt.Errorf("%w: the stored spec of a draft does not parse (%v)", ErrCorrupt, err)
		s.store.Damaged(damage)
		return nil, damage
	}
	d := &Draft{
		ID: token, Version: rec.Version, ProjectID: rec.ProjectID, Region: rec.Region, Spec: doc, SpecJSON: rec.Spec,
		Author: rec.Author, CreatedAt: rec.CreatedAt, UpdatedAt: rec.UpdatedAt,
	}
	if token != "" {
		d.ViewToken = viewToken(token, rec.ViewSeq)
	}
	return d, nil
}
