package lfs

import (
	"fmt"
	"strings"
	"testing"
)

const oid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"

func TestParse(t *testing.T) {
	tests := []struct {
		name, data string
		ok         bool
		err        string
		size       int64
	}{
		{"pointer", "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize 12345\n", true, "", 12345},
		{"CRLF", "version https://git-lfs.github.com/spec/v1\r\noid sha256:" + oid + "\r\nsize 7\r\n", true, "", 7},
		{"not a pointer", "{\"hidden_size\": 8}\n", false, "", 0},
		{"short oid", "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n", true, `oid "sha256:abc"`, 0},
		{"other hash", "version https://git-lfs.github.com/spec/v1\noid sha1:" + oid[:40] + "\nsize 1\n", true, "want sha256:<64 hex digits>", 0},
		{"negative size", "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize -1\n", true, `size "-1"`, 0},
		{"no size", "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\n", true, "no oid or size line", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok, err := Parse([]byte(tt.data))
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("error %v, want one with %q", err, tt.err)
			}
			if tt.ok && tt.err == "" && (p.OID != oid || p.Size != tt.size || p.Object() != oid[:2]+"/"+oid[2:4]+"/"+oid) {
				t.Errorf("pointer %+v, object %s", p, p.Object())
			}
		})
	}
}

// FuzzParse: any content is a pointer, not a pointer, or one error line;
// a pointer read is one a writer would write again the same.
func FuzzParse(f *testing.F) {
	f.Add([]byte("version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize 12345\n"))
	f.Add([]byte("version https://git-lfs.github.com/spec/v1\r\noid sha256:" + oid + "\r\nsize 0\r\n"))
	f.Add([]byte("version https://git-lfs.github.com/spec/v1\nsize 99999999999999999999\n"))
	f.Add([]byte("version https://git-lfs.github.com/spec/v1x\next-0-foo sha256:" + oid + "\n"))
	f.Add([]byte("{\"weight_map\": {}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, ok, err := Parse(data)
		if !ok {
			if err != nil {
				t.Fatalf("not a pointer, yet an error: %v", err)
			}
			return
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "invalid Git LFS pointer: ") || strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error %q: want one line saying the pointer is invalid", err)
			}
			return
		}
		again, ok, err := Parse([]byte(fmt.Sprintf("%s\noid sha256:%s\nsize %d\n", version, p.OID, p.Size)))
		if !ok || err != nil || again != p {
			t.Fatalf("pointer %+v written again reads %+v, %v, %v", p, again, ok, err)
		}
		if p.Short() != p.OID[:12] {
			t.Fatalf("short %q", p.Short())
		}
	})
}
