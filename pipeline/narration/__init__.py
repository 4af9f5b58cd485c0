"""narration: what a voice is given and what it says back, sentence by sentence.

Takes text: a scene's narration as written, the lexicon's words and the voice's settings; gives audio in the
internal format with word times, spoken once per sentence and cached by content.

- ``sentences`` and ``spoken``: narration split into sentences and pauses, and their spoken form (numbers as words,
  the lexicon applied); ``voicelimits``: what a voice may be given at once;
- ``engines/``: one module per text-to-speech engine (piper, espeak, gtts) behind ``engines.base.Engine``;
- ``speech``: every sentence of a video spoken by one engine, cached; ``jobs``: a sentence as a job for a worker;
  ``words``: word times.

It knows nothing of storyboards: loading checks a storyboard against what the voices accept, so it comes first.
"""

#: The engines' names, as ``engines.ENGINES`` keys them: the command line offers them without importing the engines
#: (a tenth of a second the preview spends before it starts its outline's worker).
ENGINE_NAMES = ("espeak", "gtts", "piper")
