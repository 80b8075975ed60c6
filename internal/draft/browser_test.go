package draft

import "testing"

// TestSealOpensOnlyForItsBrowserAndRow: a sealed token opens with the
// browser id and draft key it was sealed for, and with nothing else.
func TestSealOpensOnlyForItsBrowserAndRow(t *testing.T) {
	browser, token := NewBrowserID(), newEditToken()
	sealed, err := seal(browser, key(token), token)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, browser, draftKey string
		sealed                  []byte
		ok                      bool
	}{
		{"its browser and row", browser, key(token), sealed, true},
		{"another browser", NewBrowserID(), key(token), sealed, false},
		{"another row", browser, key(newEditToken()), sealed, false},
		{"cut short", browser, key(token), sealed[:5], false},
		{"altered", browser, key(token), append(append([]byte{}, sealed[:len(sealed)-1]...), sealed[len(sealed)-1]^1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := unseal(tc.browser, tc.draftKey, tc.sealed)
			if tc.ok != (err == nil) || tc.ok && got != token {
				t.Errorf("unseal: %q, %v", got, err)
			}
		})
	}
}
