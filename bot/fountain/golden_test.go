package fountain

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files of the screenplay reader")

// TestGoldenScript reads a short screenplay that uses every element of the
// syntax page and compares the whole Script with the one recorded in
// testdata/full.golden.json (go test -run TestGoldenScript -update
// rewrites it, to be read and checked by hand).
func TestGoldenScript(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "full.fountain"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseFile("full.fountain", src)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "full.golden.json")
	if *update {
		b, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	var want Script
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("script (-want +got):\n%s", diff)
	}
	checkScript(t, got, src)
}
