package draft

import "testing"

func TestTokens(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok := newEditToken()
		if !plausible(tok) || seen[tok] {
			t.Fatalf("edit token %q implausible or repeated", tok)
		}
		seen[tok] = true
	}
	edit := newEditToken()
	v0, v1 := viewToken(edit, 0), viewToken(edit, 1)
	if !plausible(v0) || !plausible(v1) || v0 == v1 || v0 == edit || viewToken(edit, 0) != v0 {
		t.Fatalf("view tokens %q %q for %q", v0, v1, edit)
	}
	if viewToken(newEditToken(), 0) == v0 {
		t.Fatal("view token does not depend on the edit token")
	}
	if key(edit) == edit || len(key(edit)) != 64 {
		t.Fatal("key is not a hash")
	}
	for _, bad := range []string{"", "short", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXY1", "ABCDEFGHIJKLMNOPQRSTUVWXYZ2"} {
		if plausible(bad) {
			t.Errorf("%q plausible", bad)
		}
	}
}
