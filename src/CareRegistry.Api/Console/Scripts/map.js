// The care map (养老关爱地图): Leaflet over what the page already holds (#map-data, from the API's map answer): the
// placed institutions of a district (or a small area), or, for a city or province, each district as its count of
// placed institutions at their middle, a link to that district's own map. The tile layer is configuration (Console:Map:TileUrl, e.g. 天地图 with its key); without one the map is a
// plain background with the markers, so the service needs no internet. Approximate places (a district seat standing
// in for an unsurveyed address) are drawn hollow and dashed and say so. Without JavaScript the table on the page
// lists the same institutions and coordinates.
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';

const element = document.getElementById('map');
const source = document.getElementById('map-data');
if (element && source) {
  const data = JSON.parse(source.textContent);
  const map = L.map(element, { preferCanvas: true, attributionControl: !!data.tileUrl });
  if (data.tileUrl) {
    L.tileLayer(data.tileUrl, { maxZoom: 18, subdomains: data.subdomains || 'abc', attribution: data.attribution || '' }).addTo(map);
  }
  const points = [];
  for (const i of data.items) {
    const at = [i.lat, i.lon];
    points.push(at);
    const marker = L.circleMarker(at, i.approximate
      ? { radius: 8, color: '#9e1b1b', weight: 2, dashArray: '3 3', fillOpacity: 0.1 }
      : { radius: 7, color: '#0b4f9c', weight: 2, fillColor: '#0b4f9c', fillOpacity: 0.7 });
    const popup = document.createElement('div');
    const link = document.createElement('a');
    link.href = '/institutions/' + i.id;
    link.textContent = i.name;
    popup.appendChild(link);
    const detail = document.createElement('div');
    detail.textContent = i.kind + ' · ' + i.beds + (i.approximate ? ' · ' + data.approximateText : '');
    popup.appendChild(detail);
    marker.bindPopup(popup);
    marker.bindTooltip(i.name + (i.approximate ? ' (' + data.approximateText + ')' : ''));
    marker.addTo(map);
  }
  for (const a of data.areas || []) {
    const at = [a.lat, a.lon];
    points.push(at);
    // Area grows with the count, so a district of 2,000 does not cover its neighbours.
    const marker = L.circleMarker(at, { radius: Math.min(40, 10 + 3 * Math.sqrt(a.placed)), color: '#0b4f9c', weight: 2, fillColor: '#0b4f9c', fillOpacity: 0.35 });
    const popup = document.createElement('div');
    const link = document.createElement('a');
    link.href = a.href;
    link.textContent = a.name + ' · ' + a.show;
    popup.appendChild(link);
    const detail = document.createElement('div');
    detail.textContent = a.label;
    popup.appendChild(detail);
    marker.bindPopup(popup);
    marker.bindTooltip(String(a.placed), { permanent: true, direction: 'center', className: 'map-count' });
    marker.addTo(map);
  }
  if (points.length > 0) map.fitBounds(points, { padding: [30, 30], maxZoom: 14 });
  else map.setView([25.04, 102.71], 9);
}
