package fountain

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const sampleFDX = `<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<FinalDraft DocumentType="Script" Template="No" Version="5">
  <Content>
    <Paragraph Type="Transition"><Text>FADE IN:</Text></Paragraph>
    <Paragraph Number="12" Type="Scene Heading">
      <SceneProperties Length="1 4/8" Page="3" Title=""/>
      <Text>INT. STUDIO - NIGHT</Text>
    </Paragraph>
    <Paragraph Type="Action"><Text>MARA (30s) </Text><Text Style="Bold">slowly</Text><Text> unbuttons her coat.</Text></Paragraph>
    <Paragraph Type="Action"><Text></Text></Paragraph>
    <Paragraph Type="Character"><Text>THEO (V.O.)</Text></Paragraph>
    <Paragraph Type="Parenthetical"><Text>(quietly)</Text></Paragraph>
    <Paragraph Type="Dialogue"><Text>Are you sure?</Text></Paragraph>
    <Paragraph>
      <DualDialogue>
        <Paragraph Type="Character"><Text>MARA</Text></Paragraph>
        <Paragraph Type="Dialogue"><Text>Yes.</Text></Paragraph>
        <Paragraph Type="Character"><Text>THEO</Text></Paragraph>
        <Paragraph Type="Dialogue"><Text>Yes.</Text></Paragraph>
      </DualDialogue>
    </Paragraph>
    <Paragraph Type="Shot"><Text>CLOSE ON the door</Text></Paragraph>
    <Paragraph Type="General"><Text>Rain &amp; wind.</Text></Paragraph>
    <Paragraph Type="Transition"><Text>CUT TO:</Text></Paragraph>
    <Paragraph Type="Scene Heading" StartsNewPage="Yes"><Text>EXT. STREET - DAY</Text></Paragraph>
  </Content>
  <TitlePage>
    <Content>
      <Paragraph Alignment="Center"><Text>THE SHOOT</Text></Paragraph>
      <Paragraph Alignment="Center"><Text></Text></Paragraph>
      <Paragraph Alignment="Center"><Text>Written by</Text></Paragraph>
      <Paragraph Alignment="Center"><Text>A. Writer</Text></Paragraph>
    </Content>
  </TitlePage>
</FinalDraft>
`

func TestParseFDX(t *testing.T) {
	s, err := ParseFDX(strings.NewReader(sampleFDX))
	if err != nil {
		t.Fatal(err)
	}
	want := []Element{
		el(Transition, 4, "FADE IN:"),
		el(SceneHeading, 5, "INT. STUDIO - NIGHT", num("12"), page(3)),
		el(Action, 9, "MARA (30s) slowly unbuttons her coat.", page(3)),
		el(Character, 11, "THEO (V.O.)", spk("THEO"), page(3)),
		el(Parenthetical, 12, "(quietly)", spk("THEO"), page(3)),
		el(Dialogue, 13, "Are you sure?", spk("THEO"), page(3)),
		el(Character, 16, "MARA", spk("MARA"), page(3)),
		el(Dialogue, 17, "Yes.", spk("MARA"), page(3)),
		el(Character, 18, "THEO", spk("THEO"), dual, page(3)),
		el(Dialogue, 19, "Yes.", spk("THEO"), dual, page(3)),
		el(Action, 22, "CLOSE ON the door", page(3)),
		el(Action, 23, "Rain & wind.", page(3)),
		el(Transition, 24, "CUT TO:", page(3)),
		el(PageBreak, 25, "", page(3)),
		el(SceneHeading, 25, "EXT. STREET - DAY", page(4)),
	}
	if diff := cmp.Diff(want, s.Elements, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("elements (-want +got):\n%s", diff)
	}
	wantTitle := []TitleField{{Key: "Title", Value: "THE SHOOT"}, {Key: "Text", Value: "Written by\nA. Writer"}}
	if diff := cmp.Diff(wantTitle, s.Title); diff != "" {
		t.Errorf("title page (-want +got):\n%s", diff)
	}
	if len(s.Scenes) != 2 || s.Scenes[0].Number != "12" || s.Scenes[0].Page != 3 || s.Pages != 4 {
		t.Errorf("scenes = %+v, pages = %d", s.Scenes, s.Pages)
	}
	if diff := cmp.Diff([]string{"THEO", "MARA"}, s.Scenes[0].Characters); diff != "" {
		t.Errorf("characters (-want +got):\n%s", diff)
	}
}

func TestParseFDXRefuses(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		is    error
		words string
	}{
		{"broken before the root", "<?xml version=\"1.0\"?>\n<FinalDraft <Content>", ErrNotFDX, "not XML"},
		{"another XML document", `<?xml version="1.0"?><html><body>script</body></html>`, ErrNotFDX, "root element is <html>"},
		{"not XML", "INT. HOUSE - DAY\n\nHello.", ErrNotFDX, "no XML element"},
		{"empty", "", ErrNotFDX, "no XML element"},
		{"damaged", "<FinalDraft><Content>\n<Paragraph Type=\"Action\"><Text>cut off</Paragraph>", ErrBadFDX, "line 2"},
		{"declared entity", `<?xml version="1.0"?>
<!DOCTYPE FinalDraft [<!ENTITY lol "lollollollollollol">]>
<FinalDraft><Content><Paragraph Type="Action"><Text>&lol;</Text></Paragraph></Content></FinalDraft>`, ErrBadFDX, "entity"},
		{"external entity", `<?xml version="1.0"?>
<!DOCTYPE FinalDraft [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<FinalDraft><Content><Paragraph Type="Action"><Text>&xxe;</Text></Paragraph></Content></FinalDraft>`, ErrBadFDX, "entity"},
		{"declared in another encoding", `<?xml version="1.0" encoding="ISO-8859-1"?>
<FinalDraft><Content><Paragraph Type="Action"><Text>Café</Text></Paragraph></Content></FinalDraft>`, ErrNotUTF8, "ISO-8859-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseFDX(strings.NewReader(tc.src))
			if !errors.Is(err, tc.is) || s != nil {
				t.Fatalf("got %v, %v; want %v", s, err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.words) {
				t.Errorf("%q does not say %q", err, tc.words)
			}
		})
	}
	t.Run("an ASCII file declared in another encoding is read", func(t *testing.T) {
		s, err := ParseFDX(strings.NewReader(`<?xml version="1.0" encoding="windows-1252"?><FinalDraft><Content><Paragraph Type="Action"><Text>Cafe</Text></Paragraph></Content></FinalDraft>`))
		if err != nil || len(s.Elements) != 1 {
			t.Fatalf("got %+v, %v", s, err)
		}
	})
}
