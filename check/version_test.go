package check

import "testing"

func TestParseIdentifier(t *testing.T) {
	tests := []struct {
		in, name, version string
		ok                bool
	}{
		{"lite-llm-base-v2.1.3", "lite-llm-base", "2.1.3", true},
		{"foo-v2-base-v1.0.0", "foo-v2-base", "1.0.0", true},
		{"lite-llm-base-v3.0.0-rc.1", "lite-llm-base", "3.0.0-rc.1", true},
		{"lite-llm-base-v3.0.0+build.7", "lite-llm-base", "3.0.0+build.7", true},
		{"m-v1.0.0-v2", "m", "1.0.0-v2", true},
		{"m_1.x-v0.0.1", "m_1.x", "0.0.1", true},
		{"lite-llm-base-2.1.3", "", "", false},
		{"lite-llm-base-v2.1", "", "", false},
		{"lite-llm-base-v02.1.3", "", "", false},
		{"lite-llm-base-vv2.1.3", "", "", false},
		{"-v1.0.0", "", "", false},
		{"name with space-v1.0.0", "", "", false},
		{"a..b-v1.0.0", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		id, err := ParseIdentifier(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseIdentifier(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && (id.Name != tt.name || id.Version.String() != tt.version || id.String() != tt.in) {
			t.Errorf("ParseIdentifier(%q) = %q, %q", tt.in, id.Name, id.Version)
		}
	}
}

func TestPre1PolicyApply(t *testing.T) {
	tests := []struct {
		policy Pre1Policy
		base   string
		bump   Bump
		want   string
	}{
		{Pre1Shift, "2.1.3", BumpMajor, "3.0.0"},
		{Pre1Shift, "2.1.3", BumpMinor, "2.2.0"},
		{Pre1Shift, "2.1.3", BumpPatch, "2.1.4"},
		{Pre1Shift, "2.1.3", BumpNone, "2.1.3"},
		{Pre1Shift, "2.1.3-rc.1", BumpNone, "2.1.3"},
		{Pre1Shift, "0.3.1", BumpMajor, "0.4.0"},
		{Pre1Shift, "0.3.1", BumpMinor, "0.3.2"},
		{Pre1Shift, "0.3.1", BumpPatch, "0.3.2"},
		{Pre1Strict, "0.3.1", BumpMajor, "1.0.0"},
		{Pre1Strict, "0.3.1", BumpMinor, "0.4.0"},
	}
	for _, tt := range tests {
		base, err := ParseVersion(tt.base)
		if err != nil {
			t.Fatal(err)
		}
		if got := tt.policy.Apply(base, tt.bump).String(); got != tt.want {
			t.Errorf("%s.Apply(%s, %s) = %s, want %s", tt.policy, tt.base, tt.bump, got, tt.want)
		}
	}
}
