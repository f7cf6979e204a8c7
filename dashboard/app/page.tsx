/** `/`: the wards the signed-in user may see (GET /api/wards), each linking to its central-station view. */
import { WardList } from './ward-list.tsx';

export default function HomePage() {
  return (
    <main className="home">
      <WardList />
    </main>
  );
}
