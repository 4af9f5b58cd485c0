"""sound: the video's one soundtrack.

Takes the ``Plan`` (where each sentence sits), the narration's audio, the footage's sound and the storyboard's music;
gives the mixed soundtrack (music ducked under the voice, loudness at -14 LUFS), encoded once as AAC in segments
cached by the samples they code. ``mix`` mixes, ``soundtrack`` lays the narration on the clock and encodes it,
``segments`` caches and joins the AAC.
"""
