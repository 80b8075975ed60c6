package dataworkstest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// PersistTo keeps the server's state in the file at path from now on. If
// the file exists, its snapshot replaces what the server holds (restored
// is then true); if not, it is written at once, so that a path that
// cannot be written fails here rather than at the first call. A file that
// cannot be read or restored is left as it is and its error returned.
//
// Afterwards every change — the write operations, SeedWorkflow and the
// console edits — is saved before it is answered: the snapshot goes to a
// temporary file in the same directory, which is synced and renamed over
// path, so the file always holds a whole snapshot. When saving fails the
// change stays made in memory and the call answers 500 InternalError,
// which clients take to mean "may have been done" (as with DataWorks'
// own InternalError); the next change that saves writes it to disk too.
// SeedWorkflow and the console edits return the error instead.
func (s *Server) PersistTo(path string) (restored bool, err error) {
	s.persistMu.Lock()
	defer s.persistMu.Unlock()
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := s.Restore(data); err != nil {
			return false, fmt.Errorf("%s: %w", path, err)
		}
		s.stateFile = path
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		s.stateFile = path
		return false, s.save()
	}
	return false, err
}

// persist saves the state to the file PersistTo named, if any. Callers
// must not hold s.mu.
func (s *Server) persist() error {
	s.persistMu.Lock()
	defer s.persistMu.Unlock()
	return s.save()
}

// save writes the snapshot atomically; s.persistMu must be held. Holding
// it from snapshot to rename keeps the files in the order of their
// snapshots, so the last one on disk holds every change made before it.
func (s *Server) save() error {
	if s.stateFile == "" {
		return nil
	}
	data, err := s.Snapshot()
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.stateFile)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(s.stateFile)+".*.tmp") // mode 0600
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.stateFile)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	// The rename is durable once the directory is synced; not every
	// system can sync a directory, and the file is whole either way.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// saved ends a write call whose work is done: it saves the state, then
// answers.
func (q *request) saved(result map[string]any) (map[string]any, *apiError) {
	if err := q.s.persist(); err != nil {
		return nil, &apiError{500, "InternalError", "the change was made but could not be saved: " + err.Error()}
	}
	return q.answer(result)
}
