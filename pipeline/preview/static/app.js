// explainer preview: draws the state the server sends, and keeps it current through server-sent events.
"use strict";

const $ = (id) => document.getElementById(id);
const video = $("video");
let state = null;
let selected = null;

function fmt(seconds) {
  const m = Math.floor(seconds / 60), s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, "0")}`;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value; else if (key === "text") node.textContent = value; else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function scenes() {
  return state && state.sections ? state.sections.flatMap((section) => section.scenes) : [];
}

function setStatus(kind, text) {
  const status = $("status");
  status.dataset.status = kind;
  status.textContent = text;
}

function render(next) {
  const previous = state;
  state = next;
  document.title = `${next.title || "explainer"} · preview`;
  $("title").textContent = next.title || "explainer preview";
  // Marked as updated only after a save (the first render draws every scene).
  const changed = new Set(next.files && next.files.length ? next.changed || [] : []);
  if (next.status === "error") {
    setStatus("error", `${next.problems.length} problem${next.problems.length === 1 ? "" : "s"}`);
  } else if (next.status === "outline") {
    const all = scenes(), drawn = all.filter((scene) => scene.still).length;
    setStatus("rendering", drawn < all.length ? `drawing stills ${drawn}/${all.length}…` : "rendering the video…");
  } else if (next.status === "ready") {
    const what = changed.size ? `${changed.size} scene${changed.size === 1 ? "" : "s"} re-rendered` : "nothing to re-render";
    setStatus("ready", `${what} · ${next.took.toFixed(1)} s`);
  }
  drawProblems(next.problems || []);
  if (next.video && (!previous || previous.video !== next.video)) {
    resumeAt = video.currentTime || 0;
    video.src = next.video;
    video.addEventListener("loadedmetadata", () => {
      video.currentTime = Math.min(resumeAt, video.duration || 0);
      resumeAt = null;
    }, { once: true });
  }
  drawChapters();
  drawScenes(changed);
  const ids = scenes().map((scene) => scene.id);
  select(ids.includes(selected) ? selected : ids[0]);
}

// Where a new video starts once its metadata is in: the old one's playhead, or a scene or chapter clicked
// while it loaded (a seek then was the element's default start, which Chromium sometimes lost to ours).
let resumeAt = null;

function seek(seconds) {
  if (resumeAt !== null) resumeAt = seconds;
  else video.currentTime = seconds;
}

function drawProblems(problems) {
  $("problems").hidden = problems.length === 0;
  const list = $("problem-list");
  list.replaceChildren();
  for (const problem of problems) {
    const where = problem.file ? `${problem.file}:${problem.line}:${problem.column}` : "";
    const item = el("li", {}, el("div", { class: "where", text: where }), el("div", { class: "message", text: problem.message }));
    if (problem.lines && problem.lines.length) {
      const pre = el("pre");
      for (const line of problem.lines) {
        pre.append(el("span", { class: line.here ? "here" : "", text: `${String(line.number).padStart(4)}  ${line.text}` }), "\n");
      }
      item.append(pre);
    }
    list.append(item);
  }
}

function drawChapters() {
  const bar = $("chapters");
  bar.replaceChildren();
  if (!state.chapters || !state.duration) return;
  state.chapters.forEach((chapter, i) => {
    const end = i + 1 < state.chapters.length ? state.chapters[i + 1].start : state.duration;
    const button = el("button", { type: "button", title: `${fmt(chapter.start)} ${chapter.title}`, text: chapter.title });
    button.style.left = `${(100 * chapter.start) / state.duration}%`;
    button.style.width = `${(100 * (end - chapter.start)) / state.duration}%`;
    button.addEventListener("click", () => seek(chapter.start + 0.01));
    bar.append(button);
  });
}

// Each scene's list item as last drawn, by everything it shows: a new state (the outline's, a few more stills each
// time) re-uses the items of the scenes it leaves as they were, so their stills are not made and decoded again
// and the page's work for an update is the scenes that changed.
let drawnItems = new Map();

function drawScenes(changed) {
  const list = $("scenes");
  const items = [], kept = new Map();
  for (const section of state.sections || []) {
    items.push(el("li", { class: "section-title", text: `${section.number}. ${section.title}` }));
    for (const scene of section.scenes) {
      const narration = scene.sentences.map((s) => s.text).join(" ");
      // Before the first render (the outline) a scene has no times yet, and its still may be on its way.
      const timed = scene.duration !== null && scene.start !== null;
      const meta = timed ? `${scene.kind} · ${scene.duration.toFixed(1)} s · at ${fmt(scene.start)}` : scene.kind;
      const key = JSON.stringify([scene.id, meta, narration, scene.still, changed.has(scene.id), timed && scene.start]);
      let item = drawnItems.get(key);
      if (!item) {
        const picture = scene.still ? el("img", { src: scene.still, alt: `${scene.id} still`, loading: "lazy" })
          : el("div", { class: "placeholder", text: scene.kind });
        item = el("li", { class: `scene${changed.has(scene.id) ? " changed" : ""}`, "data-id": scene.id },
          picture,
          el("div", {},
            el("div", { class: "id", text: scene.id }),
            el("div", { class: "meta", text: meta }),
            el("div", { class: "narration", text: narration })));
        item.addEventListener("click", () => { select(scene.id); if (timed) seek(scene.start + 0.01); });
      }
      kept.set(key, item);
      items.push(item);
    }
  }
  drawnItems = kept;
  list.replaceChildren(...items);
}

function select(id) {
  selected = id;
  const scene = scenes().find((s) => s.id === id);
  for (const item of document.querySelectorAll(".scene")) item.classList.toggle("current", item.dataset.id === id);
  if (!scene) return;
  const timed = scene.duration !== null;
  $("detail-title").textContent = timed ? `${scene.id} · ${scene.kind} · ${scene.duration.toFixed(1)} s` : `${scene.id} · ${scene.kind}`;
  const list = $("sentences");
  list.replaceChildren();
  for (const sentence of scene.sentences) {
    list.append(el("li", { "data-start": sentence.start ?? "", "data-end": sentence.end ?? "" },
      el("time", { text: sentence.start === null ? "" : `${sentence.start.toFixed(2)} s` }), el("span", { text: sentence.text })));
  }
  if (timed) drawWave(scene);
}

function drawWave(scene, playhead) {
  const canvas = $("wave");
  const width = (canvas.width = canvas.clientWidth * devicePixelRatio);
  const height = (canvas.height = 96 * devicePixelRatio);
  const g = canvas.getContext("2d");
  const x = (t) => (t / scene.duration) * width;
  g.fillStyle = "#1f2630";
  for (const s of scene.sentences) g.fillRect(x(s.start), 0, Math.max(1, x(s.end) - x(s.start)), height);
  const bar = width / scene.waveform.length;
  g.fillStyle = "#8b949e";
  scene.waveform.forEach((peak, i) => {
    const h = Math.max(1, peak * (height * 0.8));
    g.fillRect(i * bar, (height - h) / 2, Math.max(1, bar - 1), h);
  });
  g.fillStyle = "#e5484d";
  for (const reveal of scene.reveals) g.fillRect(x(reveal.at) - 1, 0, 3 * devicePixelRatio, height);
  if (playhead !== undefined) {
    g.fillStyle = "#ffffff";
    g.fillRect(x(playhead), 0, devicePixelRatio, height);
  }
}

video.addEventListener("timeupdate", () => {
  const now = video.currentTime;
  const scene = scenes().find((s) => now >= s.start && now < s.start + s.duration);
  if (!scene) return;
  if (scene.id !== selected) select(scene.id);
  const into = now - scene.start;
  for (const li of document.querySelectorAll("#sentences li")) {
    li.classList.toggle("now", into >= Number(li.dataset.start) && into < Number(li.dataset.end));
  }
  drawWave(scene, into);
});

function connect() {
  const events = new EventSource("/events");
  events.addEventListener("state", (event) => render(JSON.parse(event.data)));
  events.addEventListener("rendering", (event) => {
    const files = JSON.parse(event.data).files;
    setStatus("rendering", files.length ? `rendering after ${files.join(", ")} changed…` : "rendering…");
  });
  events.onerror = () => setStatus("starting", "reconnecting…");
}

connect();
