// The map page: submit a link, follow the job live (SSE), show the places in
// the order the video reaches them, as a list (moment links, "open in" Kakao
// Map, Naver Map, Google Maps) and as numbered markers on a route; a share link
// (?job=ID) that reopens the analysis; sign in, history. Korean and English:
// the server renders the page in one (see web/i18n.py) and inlines both
// message tables; the switch re-renders in place and is remembered
// (localStorage, and a cookie the server reads for the next first paint).
// Without a tile server the map draws an offline base layer (Natural Earth
// countries and South Korea's provinces). No framework; Leaflet for the map.
"use strict";

const $ = (id) => document.getElementById(id);
const MESSAGES = JSON.parse($("pind-messages").textContent);
const CONFIG = JSON.parse($("pind-config").textContent);
const LANGUAGES = Object.keys(MESSAGES);
const STAGES = ["ingest", "transcript", "vision", "geo"];
const FINAL = new Set(["succeeded", "partial", "failed"]);

const state = {
  lang: document.documentElement.lang,
  token: sessionStorage.getItem("pind.token"),
  source: null,
  layers: [],
  fitted: "",
  view: null, // {kind: "job", job} or {kind: "video", videoId, video, places, unresolved}
  notice: null, // {key, params} or {error}: shown in the status line instead of a job
  lost: false,
  accountError: null,
  history: null,
};

// --- messages --------------------------------------------------------------
function t(key, params = {}) {
  const text = MESSAGES[state.lang][key] ?? MESSAGES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

class ApiError extends Error {
  constructor(status, code, detail, retryAfter) {
    super(detail || code);
    Object.assign(this, { status, code, detail, retryAfter });
  }
}

// Every code the API answers has a message in both tables (a test checks);
// auth's generic "http_<status>" codes share one.
function errorText(error) {
  if (!(error instanceof ApiError)) return String(error.message || error);
  const code = error.code.startsWith("http_") ? "http_error" : error.code;
  const key = `error.${code}`;
  if (!(key in MESSAGES[state.lang])) return error.detail || t("error.http_error", { status: error.status });
  return t(key, { status: error.status, retry_after: error.retryAfter ?? "?" });
}

function applyLanguage(lang, remember) {
  state.lang = lang;
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of node.dataset.i18nAttr.split(";")) {
      const [attribute, key] = pair.split("=");
      node.setAttribute(attribute, t(key));
    }
  }
  const other = LANGUAGES.find((code) => code !== lang);
  const toggle = $("lang-switch");
  toggle.textContent = MESSAGES[other][`lang.${other}`];
  toggle.lang = other;
  if (remember) {
    localStorage.setItem("pind.lang", lang);
    document.cookie = `pind_lang=${lang}; Path=/; Max-Age=31536000; SameSite=Lax`;
  }
  setBaseAttribution();
  render();
}

$("lang-switch").addEventListener("click", () => {
  applyLanguage(LANGUAGES.find((code) => code !== state.lang), true);
});

// --- HTTP ------------------------------------------------------------------
function headers(extra = {}) {
  return state.token ? { ...extra, Authorization: `Bearer ${state.token}` } : extra;
}

async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { ...options, headers: headers(options.headers || {}) });
  } catch {
    throw new ApiError(0, "network", "", null);
  }
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const detail = body && (body.detail || body.message);
    throw new ApiError(response.status, (body && body.code) || `http_${response.status}`,
      typeof detail === "string" ? detail : "", response.headers.get("Retry-After"));
  }
  return body;
}

// --- map -------------------------------------------------------------------
const SOUTH_KOREA = L.latLngBounds([33.0, 124.5], [38.7, 131.0]);
const map = L.map("map", { keyboard: true, zoomControl: true, maxZoom: 18 });
map.fitBounds(SOUTH_KOREA);
// The offline layer has no detail below a province: fit no closer than this.
const FIT_MAX_ZOOM = CONFIG.tile_url ? 16 : 12;
let baseAttribution = null;

function setBaseAttribution() {
  if (CONFIG.tile_url) return;
  if (baseAttribution) map.attributionControl.removeAttribution(baseAttribution);
  baseAttribution = t("map.basemap");
  map.attributionControl.addAttribution(baseAttribution);
}

async function drawBaseLayer() {
  $("map").classList.add("offline");
  const pane = map.createPane("basemap");
  pane.style.zIndex = 200;
  pane.style.pointerEvents = "none";
  const renderer = L.svg({ pane: "basemap", padding: 0.5 });
  const load = (name) => fetch(`/static/vendor/basemap/${name}.topo.json`).then((r) => r.json());
  const [world, korea] = await Promise.all([load("world"), load("korea")]);
  const layer = (geojson, style) =>
    L.geoJSON(geojson, { pane: "basemap", renderer, interactive: false, style }).addTo(map);
  layer(topojson.feature(world, world.objects.countries),
    { color: "#b9b3a6", weight: 0.7, fillColor: "#efece4", fillOpacity: 1 });
  layer(topojson.feature(korea, korea.objects.provinces),
    { color: "#a49c8b", weight: 0.9, fillColor: "#fbf9f3", fillOpacity: 1 });
  $("map").dataset.basemap = "ready";
}

if (CONFIG.tile_url) {
  L.tileLayer(CONFIG.tile_url, { attribution: CONFIG.tile_attribution, maxZoom: 19 }).addTo(map);
} else {
  setBaseAttribution();
  drawBaseLayer().catch(() => { $("map").dataset.basemap = "failed"; });
}

function clearLayers() {
  state.layers.forEach((layer) => layer.remove());
  state.layers = [];
}

// --- places ----------------------------------------------------------------
function firstMoment(place) {
  let first = null;
  for (const e of place.evidence) {
    if (e.start_s != null && (first === null || e.start_s < first.start_s)) first = e;
  }
  return first;
}

// The order the video reaches them: by their earliest timed evidence; places
// never tied to a moment (title, tags…) after those, in the order given.
function inVideoOrder(places) {
  return places
    .map((place, index) => ({ place, index, moment: firstMoment(place) }))
    .sort((a, b) => {
      if (a.moment && b.moment) return a.moment.start_s - b.moment.start_s || a.index - b.index;
      if (a.moment || b.moment) return a.moment ? -1 : 1;
      return a.index - b.index;
    })
    .map((item) => item.place);
}

function clock(seconds) {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = `${String(s % 60).padStart(2, "0")}`;
  return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

function momentUrl(videoId, evidence) {
  return evidence.video_url_at ||
    `https://www.youtube.com/watch?v=${encodeURIComponent(videoId)}&t=${Math.floor(evidence.start_s)}s`;
}

// Kakao's link API cuts the name at a comma (even encoded): spaces instead.
function kakaoUrl(place) {
  const label = place.name.replace(/[,%]/g, " ").replace(/\s+/g, " ").trim();
  return `https://map.kakao.com/link/map/${encodeURIComponent(label)},${place.lat},${place.lon}`;
}

// Naver Map searches the name around a centre given in Web Mercator metres.
function naverUrl(place) {
  const x = (place.lon * 20037508.34) / 180;
  const y = (Math.log(Math.tan(((90 + place.lat) * Math.PI) / 360)) * 20037508.34) / Math.PI;
  return `https://map.naver.com/p/search/${encodeURIComponent(place.name)}` +
    `?c=${x.toFixed(2)},${y.toFixed(2)},16,0,0,0,dh`;
}

function googleUrl(place) {
  return place.google_maps_url ||
    `https://www.google.com/maps/search/?api=1&query=${place.lat},${place.lon}`;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function external(href, text, extra = {}) {
  return el("a", { href, target: "_blank", rel: "noopener", text, ...extra });
}

function pinIcon(number) {
  return L.divIcon({ className: "pin", html: `<span>${number}</span>`, iconSize: [24, 24] });
}

function showPlaces(videoId, places, exportBase) {
  const list = $("places");
  list.replaceChildren();
  clearLayers();
  $("places-title").hidden = places.length === 0;
  $("exports").hidden = !exportBase;
  if (exportBase) {
    $("geojson").href = `${exportBase}/places.geojson`;
    $("kml").href = `${exportBase}/places.kml`;
  }
  const ordered = inVideoOrder(places);
  ordered.forEach((place, index) => {
    const number = index + 1;
    const category = t(`category.${place.category}`);
    const popup = el("div", {}, el("strong", { text: `${number}. ${place.name}` }), el("br"), category);
    // Where pins overlap, the earlier place is on top.
    const options = { icon: pinIcon(number), title: place.name, keyboard: true,
      zIndexOffset: (ordered.length - index) * 100 };
    const marker = L.marker([place.lat, place.lon], options)
      .addTo(map)
      .bindPopup(popup);
    state.layers.push(marker);

    const moment = firstMoment(place);
    const when = moment
      ? external(momentUrl(videoId, moment), t("place.moment", { time: clock(moment.start_s) }),
        { class: "moment", "aria-label": t("place.moment_label", { time: clock(moment.start_s) }) })
      : el("span", { class: "meta", text: t("place.untimed") });
    const evidence = el("ul", { class: "evidence" });
    const timed = (e) => (e.start_s == null ? Infinity : e.start_s);
    for (const e of [...place.evidence].sort((a, b) => timed(a) - timed(b) || 0)) {
      const source = t(`source.${e.source}`);
      const quote = el("li", {}, `“${e.text}” ${t("place.evidence_source", { source })} `);
      if (e.start_s != null) {
        quote.append(external(momentUrl(videoId, e), t("place.moment", { time: clock(e.start_s) }),
          { "aria-label": t("place.moment_label", { time: clock(e.start_s) }) }));
      }
      evidence.append(quote);
    }
    const show = el("button", { type: "button", class: "show", text: t("place.show") });
    show.addEventListener("click", () => {
      map.setView([place.lat, place.lon], Math.max(map.getZoom(), FIT_MAX_ZOOM));
      marker.openPopup();
    });
    const actions = el("div", { class: "actions" }, show,
      el("span", { class: "open-in", text: t("place.open_in") }),
      external(kakaoUrl(place), t("place.kakao"), { class: "kakao" }),
      external(naverUrl(place), t("place.naver"), { class: "naver" }),
      external(googleUrl(place), t("place.google"), { class: "google" }));
    const meta = t("place.meta", { category, percent: Math.round(place.confidence * 100) }) +
      (place.address ? ` · ${place.address}` : "");
    list.append(el("li", { "data-index": String(index) },
      el("div", { class: "place-head" },
        el("span", { class: "place-name", text: place.name }), " ", when),
      el("div", { class: "meta", text: meta }),
      evidence, actions));
  });
  if (ordered.length > 1) {
    const route = L.polyline(ordered.map((p) => [p.lat, p.lon]),
      { color: "#d7263d", weight: 2, opacity: 0.6, dashArray: "4 6", interactive: false }).addTo(map);
    state.layers.push(route);
  }
  // Fitted when the places change, not on every progress event or language switch.
  const fitted = ordered.map((p) => `${p.lat},${p.lon}`).join(";");
  if (ordered.length && fitted !== state.fitted) {
    state.fitted = fitted;
    const bounds = L.latLngBounds(ordered.map((p) => [p.lat, p.lon])).pad(0.3);
    map.fitBounds(bounds, { maxZoom: FIT_MAX_ZOOM, animate: false });
  }
}

// Names the video mentions that no geocoder could place, each at its first moment.
function showUnresolved(videoId, unresolved) {
  const list = $("unresolved");
  list.replaceChildren();
  $("unresolved-panel").hidden = unresolved.length === 0;
  for (const item of inVideoOrder(unresolved)) {
    const moment = firstMoment(item);
    const line = el("li", {}, el("span", { class: "place-name", text: item.name }),
      ` (${t(`category.${item.category}`)}) `);
    if (moment) {
      line.append(external(momentUrl(videoId, moment), t("place.moment", { time: clock(moment.start_s) }),
        { "aria-label": t("place.moment_label", { time: clock(moment.start_s) }) }));
    }
    list.append(line);
  }
}

// --- rendering -------------------------------------------------------------
function stepText(job) {
  if (job.state === "running") {
    const running = STAGES.find((name) => job.stages[name] && job.stages[name].state === "running");
    const pending = STAGES.find((name) => job.stages[name] && job.stages[name].state === "pending");
    return t("status.step", { step: t(`stage.${running || pending || "geo"}`), progress: job.progress });
  }
  return t("status.step", { step: t(`state.${job.state}`), progress: job.progress });
}

// Why a job failed or has gaps, from its stages (their reasons as the workers wrote them).
function failureText(job) {
  if (job.state !== "failed" && job.state !== "partial") return "";
  const parts = [];
  for (const name of STAGES) {
    const stage = job.stages[name];
    if (!stage) continue;
    const counts = stage.state === "failed" || (stage.state === "skipped" && job.state === "failed");
    if (!counts) continue;
    const key = stage.state === "skipped" ? "stage.skipped" : "stage.failed";
    const what = t(key, { stage: t(`stage.${name}`) });
    parts.push(stage.reason ? t("stage.reason", { what, reason: stage.reason }) : what);
  }
  return parts.join("; ") || job.error || "";
}

function renderStatus() {
  const step = $("step");
  const progress = $("progress");
  const status = $("status");
  step.title = "";
  if (state.notice) {
    const { error, key, params } = state.notice;
    step.textContent = error ? errorText(error) : t(key, params);
    step.className = error ? "error" : "";
    if (error && error.detail) step.title = error.detail;
    progress.hidden = true;
    return;
  }
  if (!state.view || state.view.kind !== "job") {
    step.textContent = "";
    progress.hidden = true;
    return;
  }
  const job = state.view.job;
  progress.hidden = false;
  progress.value = job.progress;
  const failure = failureText(job);
  let text = stepText(job) + (failure ? ` — ${failure}` : "");
  if (state.lost) text = t("status.connection_lost", { step: text });
  step.textContent = text;
  step.className = job.state === "failed" ? "error" : "";
  status.dataset.jobId = job.job_id;
  status.dataset.state = job.state;
}

function renderVideo(video) {
  const box = $("video");
  box.replaceChildren();
  if (video) box.append(el("p", {}, external(video.url, video.title)));
}

function renderShare(jobId) {
  $("share").hidden = !jobId;
  if (!jobId) return;
  const url = new URL(window.location.href);
  url.search = `?job=${encodeURIComponent(jobId)}`;
  url.hash = "";
  if (window.location.href !== url.href) window.history.replaceState(null, "", url.href);
  $("share-link").value = url.href;
}

function render() {
  const copied = $("share-message");
  if (copied.dataset.key) copied.textContent = t(copied.dataset.key);
  renderStatus();
  renderAccount();
  renderHistory();
  const view = state.view;
  if (!view) return;
  if (view.kind === "job") {
    const job = view.job;
    renderVideo(job.video);
    renderShare(job.job_id);
    showPlaces(job.video_id, job.places, `/api/v1/jobs/${job.job_id}`);
    showUnresolved(job.video_id, job.unresolved || []);
    $("places-none").hidden = !(FINAL.has(job.state) && job.places.length === 0);
  } else {
    renderVideo(view.video);
    renderShare(null);
    showPlaces(view.videoId, view.places, `/api/v1/videos/${encodeURIComponent(view.videoId)}`);
    showUnresolved(view.videoId, view.unresolved || []);
    $("places-none").hidden = view.places.length !== 0;
  }
}

function showJob(job) {
  state.view = { kind: "job", job };
  state.notice = null;
  render();
}

function showNotice(notice) {
  state.notice = notice;
  renderStatus();
}

// --- following a job -------------------------------------------------------
function follow(jobId) {
  if (state.source) state.source.close();
  state.lost = false;
  const source = new EventSource(`/api/v1/jobs/${encodeURIComponent(jobId)}/events`);
  state.source = source;
  source.addEventListener("job", (event) => showJob(JSON.parse(event.data)));
  source.addEventListener("end", async () => {
    source.close();
    // Metadata may be projected just after the final state: read the job once more.
    try {
      showJob(await api(`/api/v1/jobs/${encodeURIComponent(jobId)}`));
    } catch (error) {
      showNotice({ error });
    }
    loadHistory();
  });
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) {
      state.lost = true;
      renderStatus();
    }
  };
}

async function openJob(jobId) {
  showNotice({ key: "status.loading" });
  try {
    const job = await api(`/api/v1/jobs/${encodeURIComponent(jobId)}`);
    showJob(job);
    if (!FINAL.has(job.state)) follow(job.job_id);
  } catch (error) {
    showNotice({ error });
  }
}

$("submit").addEventListener("submit", async (event) => {
  event.preventDefault();
  showNotice({ key: "submit.sending" });
  try {
    const accepted = await api("/api/v1/videos", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ url: $("link").value.trim() }),
    });
    renderShare(accepted.job_id);
    follow(accepted.job_id);
  } catch (error) {
    showNotice({ error });
  }
});

$("share-copy").addEventListener("click", async () => {
  const link = $("share-link");
  let copied = false;
  try {
    await navigator.clipboard.writeText(link.value);
    copied = true;
  } catch {
    link.select();
    copied = document.execCommand("copy");
  }
  $("share-message").dataset.key = copied ? "share.copied" : "share.copy_failed";
  $("share-message").textContent = t($("share-message").dataset.key);
});

// --- account ---------------------------------------------------------------
async function signIn(email, password) {
  const body = await api("/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username: email, password }),
  });
  state.token = body.access_token;
  sessionStorage.setItem("pind.token", state.token);
  sessionStorage.setItem("pind.email", email);
}

function renderAccount() {
  const signedIn = Boolean(state.token);
  $("signin").hidden = signedIn;
  $("signedin").hidden = !signedIn;
  $("who").textContent = signedIn
    ? t("account.signed_in_as", { email: sessionStorage.getItem("pind.email") || t("account.you") })
    : "";
  $("history-panel").hidden = !signedIn;
  $("account-message").textContent = state.accountError ? errorText(state.accountError) : "";
}

function accountChanged(error = null) {
  state.accountError = error;
  renderAccount();
  if (state.token && !error) loadHistory();
}

$("signin").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await signIn($("email").value, $("password").value);
    accountChanged();
  } catch (error) {
    accountChanged(error);
  }
});

$("register").addEventListener("click", async () => {
  try {
    await api("/auth/register", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: $("email").value, password: $("password").value }),
    });
    await signIn($("email").value, $("password").value);
    accountChanged();
  } catch (error) {
    accountChanged(error);
  }
});

$("signout").addEventListener("click", () => {
  state.token = null;
  state.history = null;
  sessionStorage.removeItem("pind.token");
  accountChanged();
  renderHistory();
});

function renderHistory() {
  const list = $("history");
  list.replaceChildren();
  for (const item of state.history || []) {
    const title = item.title || item.video_id;
    const open = el("button", { type: "button", text: title });
    open.addEventListener("click", () => openVideo(item.video_id));
    const remove = el("button", { type: "button", text: t("history.remove"),
      "aria-label": t("history.remove_label", { title }) });
    remove.addEventListener("click", async () => {
      try {
        await api(`/api/v1/me/history/${encodeURIComponent(item.video_id)}`, { method: "DELETE" });
        loadHistory();
      } catch (error) {
        accountChanged(error);
      }
    });
    list.append(el("li", {}, open, ` ${t("history.count", { count: item.places_count })} `, remove));
  }
}

async function loadHistory() {
  if (!state.token) return;
  try {
    const page = await api("/api/v1/me/history?limit=20");
    state.history = page.items;
    renderHistory();
  } catch (error) {
    if (error.status === 401) {
      state.token = null;
      sessionStorage.removeItem("pind.token");
    }
    accountChanged(error);
  }
}

async function openVideo(videoId) {
  try {
    const answer = await api(`/api/v1/videos/${encodeURIComponent(videoId)}`);
    if (state.source) state.source.close();
    state.view = { kind: "video", videoId, video: answer.video, places: answer.places,
      unresolved: answer.unresolved };
    state.notice = null;
    render();
  } catch (error) {
    showNotice({ error });
  }
}

// --- start -----------------------------------------------------------------
const saved = localStorage.getItem("pind.lang");
if (saved && LANGUAGES.includes(saved) && saved !== state.lang) applyLanguage(saved, true);
else render();
if (state.token) loadHistory();
const sharedJob = new URLSearchParams(window.location.search).get("job");
if (sharedJob) openJob(sharedJob);
