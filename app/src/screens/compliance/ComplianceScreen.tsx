import '../../components/ui/screens.css';
import { HoldsSection } from './HoldsSection';
import { ReceiptsSection } from './ReceiptsSection';
import { RequestsSection } from './RequestsSection';
import { RetentionSection } from './RetentionSection';

/** Compliance console: requests by due date, legal holds, retention runs and the receipts of what was deleted. */
export default function ComplianceScreen() {
  return (
    <>
      <h1>Compliance</h1>
      <RequestsSection />
      <HoldsSection />
      <RetentionSection />
      <ReceiptsSection />
    </>
  );
}
