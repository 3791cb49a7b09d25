// What the whole console knows once: whether the simulation is loaded,
// the IDM years, the kabupaten/kota of the province.
import { gql } from "./api";

export interface Region {
  code: string;
  name: string;
}

let simulation = false;
export let idmYears: number[] = [];
export let kabupaten: Region[] = [];

export function isSimulation() {
  return simulation;
}

export const province = "64";

export const stateQuery = {
  query: `query ConsoleState($province: ID!) {
  simulation { active source loadedAt }
  idmYears
  regions(level: KABUPATEN_KOTA, parentCode: $province) { code name }
}`,
  variables: { province },
};

export async function loadState() {
  const d = await gql<{ simulation: { active: boolean }; idmYears: number[]; regions: Region[] }>(stateQuery);
  simulation = d.simulation.active;
  idmYears = d.idmYears;
  kabupaten = d.regions;
}

// shortName shortens a region's name for chart labels: Kab. Paser.
export function shortName(name: string): string {
  return name.replace(/^Kabupaten /, "Kab. ");
}

export function latestIDMYear(): number {
  return idmYears[idmYears.length - 1] ?? 2024;
}
