package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"icbot/bot"
	"icbot/bot/breakdown"
	"icbot/bot/fountain"
	"icbot/storage"
)

// screenplay writes a feature-length script: scenes scenes, each about
// a page and a tenth of action and dialogue, every fourth with a line of
// intimacy and every seventh with a near miss.
func screenplay(scenes int) string {
	var b strings.Builder
	b.WriteString("Title: The Long Night\nCredit: Written by\nAuthor: A. Writer\nDraft date: 1 December 2026\n\n")
	places := []string{"LAKE HOUSE", "KITCHEN", "JETTY", "CAR", "BEDROOM", "OFFICE", "HOSPITAL CORRIDOR", "ROOFTOP"}
	intimacy := []string{
		"Anna kisses Ben slowly, her hands in his hair.",
		"Ben unbuttons Anna's shirt and lets it fall to the floor.",
		"They lie together, naked under the sheet.",
		"Anna pulls Ben onto the bed; they make love.",
	}
	misses := []string{
		"Ben does not kiss her.",
		"It is the kiss of death for the deal.",
		"A strip of land runs down to the water.",
		"Marta sits on the hospital bed, reading.",
	}
	for i := 1; i <= scenes; i++ {
		fmt.Fprintf(&b, "INT. %s - NIGHT #%d#\n\n", places[i%len(places)], i)
		b.WriteString("ANNA and BEN cross the room. The light is low; rain on the windows. Somewhere a radio plays an old song, too quiet to name.\n\n")
		if i%4 == 0 {
			b.WriteString(intimacy[(i/4)%len(intimacy)] + "\n\n")
		}
		if i%7 == 0 {
			b.WriteString(misses[(i/7)%len(misses)] + "\n\n")
		}
		for j := 0; j < 6; j++ {
			speaker := []string{"ANNA", "BEN", "MARTA"}[j%3]
			fmt.Fprintf(&b, "%s\n(quietly)\nI thought we said we would not talk about it tonight, not here, not with everyone listening.\n\n", speaker)
			b.WriteString("A long pause. Nobody moves.\n\n")
		}
		b.WriteString("CUT TO:\n\n")
	}
	return b.String()
}

// BenchmarkImportScript imports a 120-page screenplay of 113 scenes into
// a new store: reading it, the breakdown, and writing every draft scene
// with its proposals in one transaction.
func BenchmarkImportScript(b *testing.B) {
	text := []byte(screenplay(113))
	a, err := breakdown.New(breakdown.Terms{})
	if err != nil {
		b.Fatal(err)
	}
	read := bot.NewScriptReader(a)
	s, err := fountain.Parse(strings.NewReader(string(text)))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	// read is the screenplay reader and the breakdown alone.
	b.Run("read", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := read("long-night.fountain", text); err != nil {
				b.Fatal(err)
			}
		}
	})
	// import is the whole: reading, the breakdown and the store.
	b.Run("import", func(b *testing.B) {
		b.ReportMetric(float64(s.Pages), "pages")
		b.ReportMetric(float64(len(s.Scenes)), "scenes")
		b.ReportAllocs()
		importLoop(b, read, text, now)
	})
}

func importLoop(b *testing.B, read bot.ScriptReader, text []byte, now time.Time) {
	for b.Loop() {
		b.StopTimer()
		st, err := storage.Open(filepath.Join(b.TempDir(), "icbot.db"), storage.WithTimeout(time.Second), storage.WithKey(testKey))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sbs, err := read("long-night.fountain", text)
		if err != nil {
			b.Fatal(err)
		}
		err = st.Update(context.Background(), func(tx bot.Tx) error {
			_, err := bot.ApplyImport(tx, sbs, "ines", now)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
}

// TestBenchmarkScreenplay checks the benchmark's script is what it says:
// about 120 pages and 113 scenes, with intimacy flagged.
func TestBenchmarkScreenplay(t *testing.T) {
	s, err := fountain.Parse(strings.NewReader(screenplay(113)))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Scenes) != 113 || s.Pages < 120 || s.Pages > 130 {
		t.Errorf("%d scenes, %d pages; want 113 scenes, at least 120 pages", len(s.Scenes), s.Pages)
	}
	if testing.Verbose() {
		t.Logf("%d scenes, %d pages", len(s.Scenes), s.Pages)
	}
	a, _ := breakdown.New(breakdown.Terms{})
	flagged := 0
	for _, sb := range a.Script(s) {
		if len(sb.Proposals) > 0 {
			flagged++
		}
	}
	if flagged < 20 {
		t.Errorf("%d scenes flagged, want at least the 27 with intimacy", flagged)
	}
}
