package bot

// BeatNewsWindow is how long beat edits gather before performers hear of them.
const BeatNewsWindow = beatNewsWindow
