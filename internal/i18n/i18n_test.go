package i18n

import "testing"

func TestNegotiate(t *testing.T) {
	tests := []struct {
		explicit, accept string
		want             Lang
	}{
		{"", "", EN},
		{"zh-CN", "en-US", ZH},
		{"en", "zh-CN,zh;q=0.9", EN},
		{"", "zh-CN,zh;q=0.9,en;q=0.8", ZH},
		{"", "en-GB;q=0.5,zh-Hans;q=0.9", ZH},
		{"", "fr-FR,de;q=0.9", EN},
		{"klingon", "zh", ZH},
		{"", "zh-TW", EN}, // traditional Chinese is not offered; English beats a wrong script
	}
	for _, tt := range tests {
		if got := Negotiate(tt.explicit, tt.accept); got != tt.want {
			t.Errorf("Negotiate(%q, %q) = %s, want %s", tt.explicit, tt.accept, got, tt.want)
		}
	}
}

func TestTextIn(t *testing.T) {
	msg := Sprintf("At %s", "在 %s", "02:30")
	if msg.In(ZH) != "在 02:30" || msg.In(EN) != "At 02:30" || msg.In("fr") != "At 02:30" {
		t.Fatalf("unexpected %+v", msg)
	}
}
