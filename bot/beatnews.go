package bot

import (
	"fmt"
	"strings"
)

// askForBoundaries DMs a performer the beats that involve them, with
// buttons to answer privately or withdraw; why says what prompted it.
func askForBoundaries(in *input, sc *Scene, p UserID, why string, beats []Beat) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s Scene %s (%s), call %s. Please tell the IC, privately, whether you agree to each beat: yes, no or discuss.\n",
		why, sc.ID, sc.Title, in.b.fmtTime(sc.Call))
	for _, bt := range beats {
		b.WriteString("  " + beatLine(bt) + "\n")
	}
	fmt.Fprintf(&b, "Answer with the button, or type: /boundaries answer %s %s=yes|no|discuss ... notes=\"...\" garments=\"...\" body=\"...\"\n", sc.ID, beats[0].ID)
	b.WriteString("Only you and the IC will see your answers and notes. You can change them, or withdraw, at any time.")
	in.out.dm(p, ClassSceneDetail, sc.ID, p, b.String())
	in.out.withActions(
		Action{Label: "Answer privately", Command: "/boundaries form " + string(sc.ID)},
		Action{Label: "Withdraw consent", Command: "/boundaries withdraw " + string(sc.ID)},
	)
}
