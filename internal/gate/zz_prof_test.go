package gate

import (
	"context"
	"os"
	"testing"
)

func TestZZProf(t *testing.T) {
	dir := os.Getenv("PROF_REPO")
	if dir == "" {
		t.Skip()
	}
	for i := 0; i < 3; i++ {
		if _, err := Run(context.Background(), Options{Repo: dir}); err != nil {
			t.Fatal(err)
		}
	}
}
