package draft

import (
	"crypto/sha256"
	"sync"

	"github.com/flowform/flowform/internal/flowspec"
)

// parsedSpecs keeps the documents stored specs parse to, by the bytes'
// hash: a draft that is read again and again (an open editor, a shared
// review link) is parsed once per version. Documents are shared, so
// nothing may change them; callers Clone before editing (see Draft.Spec).
type parsedSpecs struct {
	mu    sync.Mutex
	docs  map[[sha256.Size]byte]*flowspec.Document
	order [][sha256.Size]byte
}

// maxParsedSpecs bounds the cache (a parsed 4 KB spec is ~20 KB).
const maxParsedSpecs = 256

// parse returns the document stored bytes hold, parsing them only the
// first time.
func (p *parsedSpecs) parse(data []byte) (*flowspec.Document, error) {
	sum := sha256.Sum256(data)
	p.mu.Lock()
	doc, ok := p.docs[sum]
	p.mu.Unlock()
	if ok {
		return doc, nil
	}
	doc, _, err := flowspec.Import(data)
	if err != nil {
		return nil, err
	}
	p.add(sum, doc)
	return doc, nil
}

// remember keeps doc as what data parses to: the caller made data from
// doc, and no one changes doc afterwards.
func (p *parsedSpecs) remember(data []byte, doc *flowspec.Document) {
	p.add(sha256.Sum256(data), doc)
}

func (p *parsedSpecs) add(sum [sha256.Size]byte, doc *flowspec.Document) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.docs == nil {
		p.docs = make(map[[sha256.Size]byte]*flowspec.Document, maxParsedSpecs)
	}
	if _, ok := p.docs[sum]; !ok {
		if len(p.order) >= maxParsedSpecs {
			delete(p.docs, p.order[0])
			p.order = p.order[1:]
		}
		p.docs[sum] = doc
		p.order = append(p.order, sum)
	}
}
