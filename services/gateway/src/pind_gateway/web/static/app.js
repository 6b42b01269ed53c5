// The map page: submit a link, follow the job live (SSE), show places as a
// list and as markers, sign in, history. No framework; Leaflet for the map.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { token: sessionStorage.getItem("pind.token"), source: null, markers: [] };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function headers(extra = {}) {
  return state.token ? { ...extra, Authorization: `Bearer ${state.token}` } : extra;
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: headers(options.headers || {}) });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const detail = (body && (body.detail || body.message)) || `HTTP ${response.status}`;
    throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
  }
  return body;
}

// --- map -------------------------------------------------------------------
const map = L.map("map", { keyboard: true, zoomControl: true }).setView([37.5665, 126.978], 11);
fetch("/config.json").then((r) => r.json()).then((config) => {
  if (config.tile_url) {
    L.tileLayer(config.tile_url, { attribution: config.tile_attribution, maxZoom: 19 }).addTo(map);
  }
});
const pin = L.divIcon({ className: "pin", iconSize: [14, 14] });

function clearMarkers() {
  state.markers.forEach((m) => m.remove());
  state.markers = [];
}

// --- rendering -------------------------------------------------------------
function showStatus(job) {
  const progress = $("progress");
  progress.hidden = false;
  progress.value = job.progress;
  const step = job.error ? `${job.state}: ${job.error}` : `${job.current_step} (${job.progress}%)`;
  $("step").textContent = step;
  $("step").className = job.state === "failed" ? "error" : "";
  $("status").dataset.jobId = job.job_id;
  $("status").dataset.state = job.state;
}

function showVideo(video) {
  const box = $("video");
  box.replaceChildren();
  if (!video) return;
  box.append(el("p", {}, el("a", { href: video.url, target: "_blank", rel: "noopener", text: video.title })));
}

function showPlaces(places, exportBase) {
  const list = $("places");
  list.replaceChildren();
  clearMarkers();
  $("places-title").hidden = places.length === 0;
  $("exports").hidden = !exportBase;
  if (exportBase) {
    $("geojson").href = `${exportBase}/places.geojson`;
    $("kml").href = `${exportBase}/places.kml`;
  }
  places.forEach((place, index) => {
    const marker = L.marker([place.lat, place.lon], { icon: pin, title: place.name, keyboard: true })
      .addTo(map)
      .bindPopup(`<strong>${escapeHtml(place.name)}</strong><br>${escapeHtml(place.category)}`);
    state.markers.push(marker);
    const evidence = el("ul", { class: "evidence" });
    for (const e of place.evidence) {
      const quote = el("li", {}, `“${e.text}” (${e.source}) `);
      if (e.video_url_at) {
        quote.append(el("a", { href: e.video_url_at, target: "_blank", rel: "noopener",
          text: `▶ ${clock(e.start_s)}`, "aria-label": `Watch the moment at ${clock(e.start_s)}` }));
      }
      evidence.append(quote);
    }
    const show = el("button", { type: "button", class: "show", text: "Show on map" });
    show.addEventListener("click", () => { map.setView([place.lat, place.lon], 16); marker.openPopup(); });
    list.append(el("li", { "data-index": String(index) },
      el("span", { class: "place-name", text: place.name }),
      el("div", { class: "meta", text: `${place.category} · confidence ${Math.round(place.confidence * 100)}%${place.address ? " · " + place.address : ""}` }),
      evidence,
      el("div", {}, show, " ",
        el("a", { href: place.google_maps_url, target: "_blank", rel: "noopener", text: "Google Maps" }))));
  });
  if (places.length) map.fitBounds(L.latLngBounds(places.map((p) => [p.lat, p.lon])).pad(0.3));
}

function clock(seconds) {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function showJob(job) {
  showStatus(job);
  showVideo(job.video);
  showPlaces(job.places, `/api/v1/jobs/${job.job_id}`);
}

// --- following a job -------------------------------------------------------
function follow(jobId) {
  if (state.source) state.source.close();
  const source = new EventSource(`/api/v1/jobs/${jobId}/events`);
  state.source = source;
  source.addEventListener("job", (event) => showJob(JSON.parse(event.data)));
  source.addEventListener("end", async () => {
    source.close();
    // Metadata may be projected just after the final state: read the job once more.
    showJob(await api(`/api/v1/jobs/${jobId}`));
    loadHistory();
  });
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) $("step").textContent += " (connection lost)";
  };
}

$("submit").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("step").textContent = "Submitting…";
  $("step").className = "";
  try {
    const accepted = await api("/api/v1/videos", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ url: $("link").value.trim() }),
    });
    follow(accepted.job_id);
  } catch (error) {
    $("step").textContent = error.message;
    $("step").className = "error";
  }
});

// --- account ---------------------------------------------------------------
async function signIn(email, password) {
  const response = await fetch("/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username: email, password }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || body.message || `HTTP ${response.status}`);
  state.token = body.access_token;
  sessionStorage.setItem("pind.token", state.token);
  sessionStorage.setItem("pind.email", email);
}

function showAccount() {
  const signedIn = Boolean(state.token);
  $("signin").hidden = signedIn;
  $("signedin").hidden = !signedIn;
  $("who").textContent = signedIn ? `Signed in as ${sessionStorage.getItem("pind.email") || "you"}` : "";
  $("history-panel").hidden = !signedIn;
  if (signedIn) loadHistory();
}

$("signin").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await signIn($("email").value, $("password").value);
    $("account-message").textContent = "";
    showAccount();
  } catch (error) {
    $("account-message").textContent = error.message;
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
    showAccount();
  } catch (error) {
    $("account-message").textContent = error.message;
  }
});

$("signout").addEventListener("click", () => {
  state.token = null;
  sessionStorage.removeItem("pind.token");
  showAccount();
});

async function loadHistory() {
  if (!state.token) return;
  const list = $("history");
  try {
    const page = await api("/api/v1/me/history?limit=20");
    list.replaceChildren();
    for (const item of page.items) {
      const open = el("button", { type: "button", text: item.title || item.video_id });
      open.addEventListener("click", () => openVideo(item.video_id));
      const remove = el("button", { type: "button", text: "Remove", "aria-label": `Remove ${item.title || item.video_id} from history` });
      remove.addEventListener("click", async () => {
        await api(`/api/v1/me/history/${item.video_id}`, { method: "DELETE" });
        loadHistory();
      });
      list.append(el("li", {}, open, ` ${item.places_count} place(s) `, remove));
    }
  } catch (error) {
    if (/sign in|token/i.test(error.message)) { state.token = null; showAccount(); }
  }
}

async function openVideo(videoId) {
  const video = await api(`/api/v1/videos/${videoId}`);
  showVideo(video.video);
  showPlaces(video.places, `/api/v1/videos/${videoId}`);
}

showAccount();
